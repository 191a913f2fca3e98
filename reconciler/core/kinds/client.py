"""Clients: ``client:<id>``, updated with ``PUT /clients/:id.json``; a client declared by its
code alone, that no client has, is created with ``POST /clients.json`` (``new-client:<code>``
until the API gives it an id).

This is the worked example of a kind (README, "Adding a resource kind"): an update by id
(``UpdatedById``), a creation by a natural key, a guard rule, and a paginated list to read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from reconciler.core import normalize as norm
from reconciler.core import resources as res
from reconciler.core.calls import Action, Call, Reason
from reconciler.core.diff import diff_fields
from reconciler.core.kinds.base import MassUpdate, ReadBack, Reading
from reconciler.core.kinds.by_id import UpdatedById
from reconciler.core.kinds.sections import Layout, Section
from reconciler.desired.document import problem_at
from reconciler.desired.loader import YamlPath
from reconciler.desired.models import Client

if TYPE_CHECKING:
    from reconciler.core.kinds.planning import Planning
    from reconciler.core.kinds.resolving import Resolving
    from reconciler.desired.models import DesiredState

TO_CREATE = "new-client:"
"""The key of a client to create: it has no id until the API gives it one."""


class ClientKind(UpdatedById):
    name = "client"
    phase = 3
    update_path = "/clients/{id}.json"
    reading = Reading(
        "each",
        "clients",
        item_key="client",
        one="/clients/{id}.json",
        listing="/clients.json",
        list_key="clients",
        paginated=True,
        find=("/clients/find-by-code.json", "client_code"),
    )
    natural_key = "code"
    lookup_prefix = "lookup:client-code:"
    said_found = "client {key!r} found on the live account: adopted as {id}"
    said_created = "client {key!r} is not on the live account: it will be created"
    section = Section("clients", "list", Layout(first=(("code", ""), ("name", ""))))

    def __init__(self) -> None:
        super().__init__()
        self.create = Action("create", self.name)
        self.actions = {self.update: self.phase, self.create: 4}
        self.mass_update = MassUpdate(self.update, "clients")

    def declared(self, state: DesiredState) -> Iterator[tuple[YamlPath, BaseModel, int | None]]:
        for index, client in enumerate(state.clients):
            yield ("clients", index), client, client.id

    def body(self, fields: dict[str, Any]) -> Mapping[str, Any]:
        """Every declared field (name and code always); ``send_options`` as text."""
        if "send_options" in fields:
            # The API documents send_options as "1".."3" in its examples and returns it as text.
            fields["send_options"] = str(fields["send_options"])
        return {"client": fields}

    def normalised(self, view: Mapping[str, Any]) -> Mapping[str, Any]:
        return norm.live_client(view)

    def plan_without_id(self, planning: Planning, path: YamlPath, model: BaseModel) -> None:
        """Created when its code is among those to create; else it was not resolved."""
        assert isinstance(model, Client)
        if model.code not in planning.creatable:
            where = (*path, "code")
            planning.problems.append(
                problem_at(planning.desired, where, "client not resolved to an id")
            )
            return
        index = int(path[1])
        fields, declared = res.declared_forms(model, planning.key)
        planning.calls.append(
            Call(
                sort_key=(self.actions[self.create], index),
                action=self.create,
                resource=TO_CREATE + model.code,
                target_id=0,
                method="POST",
                path=self.reading.listing if self.reading else "",
                body=self.body(fields),
                changes=diff_fields(None, declared),
                reason=Reason.NO_CLIENT_WITH_CODE,
                record=declared,
                source=planning.where(path)(),
            )
        )

    def read_back(self, call: Call) -> ReadBack:
        if call.action == self.create:
            return ReadBack("find", value=str(call.record["code"]))
        return ReadBack("one", call.target_id)

    def finds_created(self, call: Call) -> str | None:
        return str(call.record["code"]) if call.action == self.create else None

    def created_key(self, call: Call, answer: Any) -> str | None:
        if call.action != self.create:
            return None
        view = answer.get("client") if isinstance(answer, Mapping) else None
        identifier = norm.client_id(view) if isinstance(view, Mapping) else None
        if identifier is None:
            raise ValueError("unexpected answer: no client id")
        return self.key(identifier)

    def named(self, state: DesiredState) -> list[str]:
        """The codes of the clients declared without id."""
        return [client.code for client in state.clients if client.id is None]

    def may_create(self, state: DesiredState) -> bool:
        return state.options is not None and state.options.create_missing_clients

    def resolve(self, resolving: Resolving) -> None:
        """Each client declared without id takes the id of its code; one found nowhere is to
        be created when that is allowed (else a problem), and one whose id another entry
        declares is a problem."""
        desired = resolving.desired
        clients = desired.state.clients
        declared: dict[int, int] = {c.id: i for i, c in enumerate(clients) if c.id is not None}
        out: list[Client] = []
        for index, client in enumerate(clients):
            if client.id is not None:
                out.append(client)
                continue
            where: YamlPath = ("clients", index, "code")
            identifier = resolving.keys.get(client.code)
            if identifier is None:
                if not resolving.allowed:
                    resolving.problems.append(problem_at(desired, where, _not_found(client.code)))
                resolving.to_create.append(client.code)
                out.append(client)
                continue
            if identifier in declared:
                other = desired.source.locate(("clients", declared[identifier])).line
                message = (
                    f"client code '{client.code}' is client {identifier}, which is also "
                    f"declared at line {other}"
                )
                resolving.problems.append(problem_at(desired, where, message))
                continue
            declared[identifier] = index
            out.append(client.model_copy(update={"id": identifier}))
        resolving.update["clients"] = tuple(out)


def _not_found(code: str) -> str:
    return (
        f"no client has code '{code}' on the live account: write its id, or allow creating it "
        "(--create-missing, or 'options: {create_missing_clients: true}' in the file)"
    )


KIND = ClientKind()
