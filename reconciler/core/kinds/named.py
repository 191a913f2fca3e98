"""A kind keyed by name in the file: each resource is updated by id (``UpdatedById``), found
by its ``name`` in the kind's live list when the file gives no id (``core.references``), and
created by name when that is allowed (``new-<kind>:<name>`` until the API gives it an id).
Taxes and items are of this shape; a kind of it declares its name, paths, ``Reading``, where
it sits in the desired state (``slot``), its creation option and the fields a creation needs.

A field naming a resource of another such kind (an item's ``tax``) must name one the file
declares or the live account has: the kind named checks it while it resolves. After a lost
answer to a create, the resource is looked up by name in the list (``Reading.named_by``)
before the create is tried again, so it is never made twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from reconciler.core import resources as res
from reconciler.core.calls import Action, Call, Reason
from reconciler.core.diff import diff_fields
from reconciler.core.kinds.base import MassUpdate, ReadBack
from reconciler.core.kinds.by_id import UpdatedById
from reconciler.core.kinds.sections import Layout, Section
from reconciler.desired.document import problem_at
from reconciler.desired.loader import YamlPath

if TYPE_CHECKING:
    from reconciler.core.kinds.planning import Planning
    from reconciler.core.kinds.resolving import Resolving
    from reconciler.desired.models import DesiredState


class ByName(UpdatedById):
    """A kind whose resources the file names; subclasses set ``name``, ``phase``,
    ``create_phase``, ``update_path``, ``reading``, ``slot``, ``noun`` and
    ``creation_option``."""

    slot: str = ""
    """Where the kind sits in the desired state (``taxes``)."""
    noun: str = ""
    """The kind in the plural, as the guard counts it and ``--target`` names them all."""
    create_phase: int = 0
    creation_option: str = ""
    """The file's option (in ``options``) allowing creation, as ``--create-missing`` does."""
    natural_key = "name"
    required_to_create: tuple[str, ...] = ()
    """Fields the API needs to create one (beyond ``name``): a problem when left out."""
    refers: Mapping[str, str] = MappingProxyType({})
    """Fields naming a resource of another kind by its name (an item's ``tax``)."""
    decimals: frozenset[str] = frozenset()
    """Fields holding a decimal's exact text, which ``import`` writes as a plain number."""

    def __init__(self) -> None:
        super().__init__()
        self.create = Action("create", self.name)
        self.actions = {self.update: self.phase, self.create: self.create_phase}
        self.mass_update = MassUpdate(self.update, self.noun)
        self.target_group = self.noun
        self.lookup_prefix = f"lookup:{self.name}-name:"
        self.said_found = self.name + " {key!r} found on the live account: adopted as {id}"
        self.said_created = self.name + " {key!r} is not on the live account: it will be created"
        layout = Layout(first=(("name", ""),), decimals=self.decimals)
        self.section = Section(self.slot, "list", layout)

    @property
    def to_create(self) -> str:
        """The start of the key of a resource to create: ``new-tax:``."""
        return f"new-{self.name}:"

    def declared(self, state: DesiredState) -> Iterator[tuple[YamlPath, BaseModel, int | None]]:
        for index, model in enumerate(getattr(state, self.slot)):
            yield (self.slot, index), model, model.id

    def may_create(self, state: DesiredState) -> bool:
        options = state.options
        return options is not None and bool(getattr(options, self.creation_option, False))

    def creation_key(self, natural: str) -> str:
        return self.to_create + natural

    def named(self, state: DesiredState) -> list[str]:
        """The names of the resources declared without id, and those other kinds' fields
        name that the file does not declare."""
        models = getattr(state, self.slot)
        declared = {m.name for m in models}
        names = [m.name for m in models if m.id is None]
        return names + [n for _, n in self._referring(state) if n not in declared]

    def _referring(self, state: DesiredState) -> Iterator[tuple[YamlPath, str]]:
        """Where other kinds' fields name a resource of this kind, and the name."""
        from reconciler.core.kinds import registry  # the registry imports every kind

        for kind in registry.KINDS:
            if not isinstance(kind, ByName):
                continue
            for field, other in kind.refers.items():
                if other != self.name:
                    continue
                for index, model in enumerate(getattr(state, kind.slot)):
                    value = getattr(model, field)
                    if isinstance(value, str):
                        yield (kind.slot, index, field), value

    def resolve(self, resolving: Resolving) -> None:
        """Each resource declared without id takes the id of its name; one found nowhere is to
        be created when that is allowed (else a problem); one whose id another entry declares
        is a problem; a name another kind's field gives must be declared or found."""
        desired = resolving.desired
        models = getattr(desired.state, self.slot)
        declared: dict[int, int] = {m.id: i for i, m in enumerate(models) if m.id is not None}
        out: list[BaseModel] = []
        for index, model in enumerate(models):
            if model.id is not None:
                out.append(model)
                continue
            where: YamlPath = (self.slot, index, "name")
            identifier = resolving.keys.get(model.name)
            if identifier is None:
                if not resolving.allowed:
                    resolving.problems.append(problem_at(desired, where, self._not_found(model)))
                resolving.to_create.append(model.name)
                out.append(model)
                continue
            if identifier in declared:
                other = desired.source.locate((self.slot, declared[identifier])).line
                message = (
                    f"{self.name} name '{model.name}' is {self.name} {identifier}, which is "
                    f"also declared at line {other}"
                )
                resolving.problems.append(problem_at(desired, where, message))
                continue
            declared[identifier] = index
            out.append(model.model_copy(update={"id": identifier}))
        resolving.update[self.slot] = tuple(out)
        names = {m.name for m in models}
        for path, value in self._referring(desired.state):
            if value not in names and value not in resolving.keys:
                message = f"no {self.name} is named '{value}' in the file or on the live account"
                resolving.problems.append(problem_at(desired, path, message))

    def _not_found(self, model: Any) -> str:
        return (
            f"no {self.name} is named '{model.name}' on the live account: write its id, or "
            f"allow creating it (--create-missing, or 'options: {{{self.creation_option}: "
            "true}' in the file)"
        )

    def plan_without_id(self, planning: Planning, path: YamlPath, model: BaseModel) -> None:
        """Created when its name is among those to create; else it was not resolved."""
        name = str(getattr(model, "name", ""))
        if self.creation_key(name) not in planning.creatable:
            problem = f"{self.name} not resolved to an id"
            planning.problems.append(problem_at(planning.desired, (*path, "name"), problem))
            return
        fields, declared = res.declared_forms(model, planning.key)
        missing = [field for field in self.required_to_create if field not in declared]
        if missing:
            needed = ", ".join(missing)
            problem = f"{self.name} '{name}' is not on the account: creating it needs {needed}"
            planning.problems.append(problem_at(planning.desired, path, problem))
            return
        planning.calls.append(
            Call(
                sort_key=(self.actions[self.create], int(path[1])),
                action=self.create,
                resource=self.to_create + name,
                target_id=0,
                method="POST",
                path=self.reading.listing if self.reading else "",
                body=self.body(fields),
                changes=diff_fields(None, declared),
                reason=Reason.NONE_WITH_NAME,
                record=declared,
                source=planning.where(path)(),
            )
        )

    def read_back(self, call: Call) -> ReadBack:
        if call.action == self.create:
            return ReadBack("find", value=str(call.record["name"]))
        return ReadBack("one", call.target_id)

    def finds_created(self, call: Call) -> str | None:
        return str(call.record["name"]) if call.action == self.create else None

    def created_key(self, call: Call, answer: Any) -> str | None:
        if call.action != self.create:
            return None
        item_key = self.reading.item_key if self.reading else self.name
        view = answer.get(item_key) if isinstance(answer, Mapping) else None
        identifier = self.live_id(view) if isinstance(view, Mapping) else None
        if identifier is None:
            raise ValueError(f"unexpected answer: no {self.name} id")
        return self.key(identifier)


def decimal_text(value: Any, places: int) -> Any:
    """A live number (``23.0``, ``"23.0"``, ``60``) as the file's text at ``places`` decimals;
    anything else as it is, so that it shows as different."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return value
    return f"{number:.{places}f}" if number.is_finite() else value
