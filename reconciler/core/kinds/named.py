"""A kind keyed by name in the file: each resource is updated by id (``UpdatedById``), found
by its name in the kind's live list when the file gives no id, and created by name when that
is allowed (``new-<kind>:<name>`` until the API gives it an id). Taxes and items are of this
shape; a kind of it declares its name, paths, ``Reading``, where it sits in the desired state
(``slot``) and its creation option.

After a lost answer to a create, the resource is looked up by name in the list
(``Reading.named_by``) before the create is tried again, so it is never made twice.
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
from reconciler.desired.document import problem_at
from reconciler.desired.loader import YamlPath

if TYPE_CHECKING:
    from reconciler.core.kinds.planning import Planning
    from reconciler.core.known import KnownState
    from reconciler.desired.models import DesiredState


class ByName(UpdatedById):
    """A kind whose resources the file names; subclasses set ``name``, ``phase``,
    ``update_path``, ``reading``, ``slot``, ``noun`` and ``option``."""

    slot: str = ""
    """Where the kind sits in the desired state (``taxes``)."""
    noun: str = ""
    """The kind in the plural, as the guard counts it and ``--target`` names them all."""
    option: str = ""
    """The file's option allowing creation (``create_missing_taxes``)."""
    create_phase: int = 0
    required_to_create: tuple[str, ...] = ()
    """Fields the API needs to create one (beyond ``name``): a problem when left out."""
    refers: Mapping[str, str] = MappingProxyType({})
    """Fields naming a resource of another kind by its name (an item's ``tax``)."""

    def __init__(self) -> None:
        super().__init__()
        self.create = Action("create", self.name)
        self.actions = {self.update: self.phase, self.create: self.create_phase}
        self.mass_update = MassUpdate(self.update, self.noun)
        self.target_group = self.noun

    @property
    def to_create(self) -> str:
        """The start of the key of a resource to create: ``new-tax:``."""
        return f"new-{self.name}:"

    @property
    def lookup(self) -> str:
        """The start of the known-state key of a name found on the live account."""
        return f"lookup:{self.name}-name:"

    def declared(self, state: DesiredState) -> Iterator[tuple[YamlPath, BaseModel, int | None]]:
        for index, model in enumerate(getattr(state, self.slot)):
            yield (self.slot, index), model, model.id

    def names(self, known: KnownState) -> dict[str, int]:
        """Name → id, from earlier look-ups and the records of resources applied before."""
        found: dict[str, int] = {}
        prefix = f"{self.name}:"
        for key, record in known.resources.items():
            value = record.applied.get("id") if key.startswith(self.lookup) else None
            if isinstance(value, int):
                found[key.removeprefix(self.lookup)] = value
        for key, record in known.resources.items():
            name = record.applied.get("name")
            if key.startswith(prefix) and isinstance(name, str):
                found[name] = int(key.removeprefix(prefix))
        return found

    def live_names(self, listed: Any) -> dict[str, int]:
        """Name → id of the live list (``Mapping`` by id, or a tuple of resources)."""
        views = listed.values() if isinstance(listed, Mapping) else listed
        found: dict[str, int] = {}
        for view in views:
            if isinstance(view, Mapping) and isinstance(view.get("name"), str):
                identifier = _whole(view.get("id"))
                if identifier is not None:
                    found.setdefault(view["name"], identifier)
        return found

    def plan_without_id(self, planning: Planning, path: YamlPath, model: BaseModel) -> None:
        """Created when its name is among those to create; else it was not resolved."""
        name = str(getattr(model, "name", ""))
        if self.to_create + name not in planning.creatable:
            problem = f"{self.name} not resolved to an id"
            planning.problems.append(problem_at(planning.desired, (*path, "name"), problem))
            return
        declared = res.comparable(res.declared_fields(model), planning.key)
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
                body=self.body(model),
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
        identifier = _whole(view.get("id")) if isinstance(view, Mapping) else None
        if identifier is None:
            raise ValueError(f"unexpected answer: no {self.name} id")
        return self.key(identifier)


def _whole(value: Any) -> int | None:
    """An id shown as a number or as text of decimal digits."""
    text = str(value).strip() if isinstance(value, int | str) and value is not True else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else None


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
