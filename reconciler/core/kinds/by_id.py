"""A kind updated by id: each declared resource with an id is one ``PUT`` of every declared
field when they differ from the record, folded and verified field by field. A new kind of this
shape declares its name, phase, paths, where it sits in the desired state and how its live
answer is normalised; the rest is here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from reconciler.core import resources as res
from reconciler.core.calls import Action, Call
from reconciler.core.kinds.base import Kind
from reconciler.core.verification import NOT_FOUND, NotConverged, compare
from reconciler.desired.loader import YamlPath

if TYPE_CHECKING:
    from reconciler.core.kinds.folding import Folder
    from reconciler.core.kinds.planning import Planning
    from reconciler.core.live_state import LiveState
    from reconciler.core.secrets import DigestKey
    from reconciler.desired.models import DesiredState


class UpdatedById(Kind):
    """A kind whose declared resources are updated by id; subclasses set the class attributes
    and ``declared``, and may override ``body`` and ``normalised``."""

    phase: int = 0
    update_path: str = ""
    """The path of the update, ``{id}`` standing for the resource's id."""

    def __init__(self) -> None:
        self.update = Action("update", self.name)
        self.actions = {self.update: self.phase}
        self.target_prefixes = (self.name,)

    def key(self, identifier: int) -> str:
        """The known-state key of the resource with this id: ``client:42``."""
        return f"{self.name}:{identifier}"

    def declared(self, state: DesiredState) -> Iterator[tuple[YamlPath, BaseModel, int | None]]:
        """Every declared resource of the kind: where it is, its model, its id (None: not yet)."""
        raise NotImplementedError

    def body(self, fields: dict[str, Any]) -> Mapping[str, Any]:
        """The request body made of the declared fields (``res.declared_forms``: the body's
        own, which it may change): every declared field under the kind's name."""
        return {self.name: fields}

    def plan(self, planning: Planning) -> None:
        key = planning.key
        for path, model, identifier in self.declared(planning.desired.state):
            if identifier is None:
                self.plan_without_id(planning, path, model)
                continue
            resource = self.key(identifier)
            fields, declared = res.declared_forms(model, key)
            if planning.settled(resource, declared):
                continue  # the usual resource of a big plan: nothing else is made for it
            call = planning.update(
                self.update,
                self.phase,
                resource,
                identifier,
                self.update_path.format(id=identifier),
                partial(self.body, fields),
                declared,
                planning.where(path),
            )
            planning.collect(call, resource)

    def plan_without_id(self, planning: Planning, path: YamlPath, model: BaseModel) -> None:
        """A declared resource with no id yet: by default nothing to plan."""

    def live_view(self, live: LiveState, identifier: int) -> Mapping[str, Any] | None:
        """What the live account showed of the resource with this id (None: not there)."""
        if self.reading is None:
            return None
        found = live.of(self.reading.slot)
        if self.reading.mode == "one":
            return found if isinstance(found, Mapping) else None
        view = found.get(identifier) if isinstance(found, Mapping) else None
        return view if isinstance(view, Mapping) else None

    def fold(self, folder: Folder, state: DesiredState, live: LiveState, key: DigestKey) -> None:
        for _, model, identifier in self.declared(state):
            if identifier is None:
                continue
            view = self.live_view(live, identifier)
            folder.fields(
                self.key(identifier),
                res.declared_forms(model, key)[1],
                self.normalised(view) if view is not None else None,
            )

    def wanted(self, state: DesiredState) -> tuple[int, ...] | None:
        ids = tuple(i for _, _, i in self.declared(state) if i is not None)
        if self.reading is not None and self.reading.mode == "one":
            return ids or None
        return ids

    def verified(self, call: Call, live: Any) -> list[NotConverged]:
        if not isinstance(live, Mapping):
            return [NotConverged(call, "(resource)", "present", NOT_FOUND)]
        return compare(call, call.record, self.normalised(live))
