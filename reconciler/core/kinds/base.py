"""What a resource kind declares, and the defaults most kinds keep.

A kind is one module of this package holding one ``Kind``: its keys in the known state, how
``--target`` names it, the calls it plans (each ``Action`` with its phase), how its live answer
is read (``Reading``: paths, list key, pagination), normalised and folded into the known state,
what verification reads back, what the guard watches, what ``reconciler import`` writes
for it (``Section``, in ``core.kinds.sections``), and how a resource named by its natural key
is resolved to its id (``natural_key``, ``named``, ``resolve``; looked up on the live account
with the ``Reading``'s ``find``, else its whole list). Everything that loops over kinds
(planning, the fold, targeting, the guard, saved-plan reading, the live reads, verification,
the apply's answers) asks the registry (``core.kinds.registry``) and this interface, never a
kind by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from reconciler.core.calls import Action, Call
from reconciler.core.normalize import as_decimal

if TYPE_CHECKING:
    from pydantic import BaseModel

    from reconciler.core.kinds.folding import Folder
    from reconciler.core.kinds.planning import Planning
    from reconciler.core.kinds.resolving import Resolving
    from reconciler.core.kinds.sections import Section
    from reconciler.core.known import KnownState, Record
    from reconciler.core.live_state import LiveState
    from reconciler.core.secrets import DigestKey
    from reconciler.core.verification import NotConverged
    from reconciler.desired.loader import YamlPath
    from reconciler.desired.models import DesiredState
    from reconciler.errors import ApiError

Referenced = Mapping[str, int | tuple[int, ...] | None]
"""What a ``references`` section names, by field: one resource's id (None: none), or a list."""
Refs = Mapping[str, int | str | tuple[int | str, ...] | None]
"""What a file's ``references`` section names, by field: ids, or natural keys (text)."""

ReadMode = Literal["one", "each", "list"]
"""How a kind is read: ``one`` resource by id (the account), ``each`` resource by id with the
list as a shortcut (clients), or the whole ``list`` at once (sequences)."""


@dataclass(frozen=True)
class Reading:
    """Where the API shows a kind: the paths and the keys of its answers.

    ``one`` is the path of one resource, ``{id}`` standing for its id, answered as
    ``{item_key: {...}}``; ``listing`` the list's path, answered as ``{list_key: [...]}`` (with
    a ``pagination`` block when ``paginated``); ``find`` a look-up by a natural key (path and
    query parameter), answered as one resource, or else ``named_by``; ``slot`` the name it has
    in ``LiveState``.
    """

    mode: ReadMode
    slot: str
    item_key: str = ""
    one: str = ""
    listing: str = ""
    list_key: str = ""
    paginated: bool = False
    find: tuple[str, str] | None = None
    named_by: str = ""
    """With no ``find`` path: the field a resource is found by in the whole list (``name``)."""


@dataclass(frozen=True)
class ReadBack:
    """What verification reads to check a call: the resource by ``id``, the one found by the
    natural key ``value``, or the kind's whole list (``mode`` as in ``Reading``)."""

    how: Literal["one", "find", "list"]
    id: int = 0
    value: str = ""


@dataclass(frozen=True)
class MassUpdate:
    """A guard rule: updating more than a fraction of the managed resources of ``action``,
    counted as ``noun`` (``clients``)."""

    action: Action
    noun: str


class Kind:
    """One kind of resource; a module subclasses this (or ``UpdatedById``) and registers an
    instance. The defaults are those of a kind that plans nothing and reads nothing."""

    name: str = ""
    """The kind's word in its actions (``client``), and its ``--target`` group when grouped."""
    actions: Mapping[Action, int] = MappingProxyType({})
    """Every action the kind plans, with its phase: calls run in phase order."""
    target_group: str = ""
    """A ``--target`` that names every resource of the kind (``account``, ``sequences``)."""
    target_literals: tuple[str, ...] = ()
    """Keys without an id that ``--target`` takes as they are (``default_sequence``)."""
    target_prefixes: tuple[str, ...] = ()
    """Key prefixes that ``--target <prefix>:<id>`` takes (``client``)."""
    reading: Reading | None = None
    mass_update: MassUpdate | None = None
    protected_fields: frozenset[str] = frozenset()
    """Fields whose change on a managed resource the guard refuses without ``--force``."""
    protected_what: str = ""
    """What the protected fields are, as the guard's refusal names them (``fiscal data``)."""
    section: Section | None = None
    """What ``reconciler import`` writes for the kind (None: nothing)."""
    natural_key: str = ""
    """The live field that names a resource besides its id (``code``, ``serie``)."""
    lookup_prefix: str = ""
    """The start of the known-state keys of its look-ups (``lookup:serie:``), which record the
    id found for a natural key so the next run needs no look-up."""
    said_found: str = ""
    """The plan's line for a resource found by natural key on the live account (``{key}``,
    ``{id}``); empty: none."""
    said_created: str = ""
    """The plan's line for a resource found nowhere, to be created (``{key}``)."""
    said_named: str = ""
    """The plan's line, dim, for every resource named by natural key (``{key}``, ``{id}``)."""

    def owns(self, key: str) -> bool:
        """Whether a known-state key is a resource of this kind (a look-up record is not)."""
        return key in self.target_literals or key.startswith(self.key_prefixes)

    @cached_property
    def key_prefixes(self) -> tuple[str, ...]:
        """The start of every key of the kind with an id: ``("client:",)``."""
        return tuple(f"{prefix}:" for prefix in self.target_prefixes)

    def describe(self, key: str) -> str:
        """A key of this kind as shown: ``client 43``."""
        kind, _, identifier = key.partition(":")
        return f"{kind} {identifier}" if identifier else kind

    def declared(self, state: DesiredState) -> Iterator[tuple[YamlPath, BaseModel, int | None]]:
        """Every declared resource of the kind: where it is, its model, its id (None: not yet)."""
        return iter(())

    def normalised(self, view: Mapping[str, Any]) -> Mapping[str, Any]:
        """A live answer in the declared form (``core.normalize``)."""
        return view

    def live_id(self, view: Mapping[str, Any]) -> int | None:
        """A live resource's id (the API shows ids as text); None when it has none."""
        return as_decimal(str(view.get("id", "")).strip())

    def natural_keys(self, views: Iterable[Mapping[str, Any]]) -> dict[str, int]:
        """Natural key (as text) → id, for every live resource in ``views``."""
        keys: dict[str, int] = {}
        for view in views:
            identifier = self.live_id(view)
            if identifier is not None:
                keys[str(view.get(self.natural_key))] = identifier
        return keys

    def recorded_keys(
        self, known: KnownState, owned: Iterable[tuple[str, Record]] | None = None
    ) -> dict[str, int]:
        """Natural key → id, from the records of the kind's resources that hold it (among
        ``owned`` when given: records that include every one of the kind's)."""
        keys: dict[str, int] = {}
        if not self.natural_key:
            return keys
        natural = self.natural_key
        for key, record in known.resources.items() if owned is None else owned:
            if not self.owns(key):
                continue
            value = record.applied.get(natural)
            if isinstance(value, str):
                identifier = as_decimal(key.partition(":")[2])
                if identifier is not None:
                    keys[value] = identifier
        return keys

    def owned_among(
        self, known: KnownState, records: Mapping[str, list[tuple[str, Record]]]
    ) -> list[tuple[str, Record]]:
        """The records of ``known`` that may be the kind's, in its order, from its records
        grouped by their key's text before its first ``:`` (``references.by_first_part``):
        the groups of the kind's literal keys and of its prefixes (each ends with ``:``)."""
        parts = {part.partition(":")[0] for part in (*self.target_literals, *self.key_prefixes)}
        found = [records[part] for part in parts if records.get(part)]
        if len(found) < 2:
            return found[0] if found else []
        wanted = {key for group in found for key, _ in group}
        return [item for item in known.resources.items() if item[0] in wanted]

    def named(self, state: DesiredState) -> list[str]:
        """The natural keys by which the desired state names resources of the kind (no id)."""
        return []

    def may_create(self, state: DesiredState) -> bool:
        """Whether the file allows creating the kind's resources found nowhere, by the kind's
        own option (``--create-missing`` allows it for every kind)."""
        return False

    def creation_key(self, natural: str) -> str:
        """How the plan's ``creatable`` names the creation of the resource ``natural`` names:
        the natural key itself (a client's code), or a key no other kind's can equal."""
        return natural

    def resolve(self, resolving: Resolving) -> None:
        """Fill in the ids of the resources named by natural key, from ``resolving.keys``;
        those found nowhere go to ``resolving.to_create`` when ``resolving.allowed``."""

    def referenced(self, live: LiveState) -> Referenced | None:
        """For a ``references`` section: the live resources it names (None: not read)."""
        return None

    def declared_references(self, state: DesiredState) -> Refs | None:
        """For a ``references`` section: what the desired state names (None: no section)."""
        return None

    def plan(self, planning: Planning) -> None:
        """Add this kind's calls, resources in sync and problems to ``planning``."""

    def fold(self, folder: Folder, state: DesiredState, live: LiveState, key: DigestKey) -> None:
        """Fold what the live account shows of this kind's declared resources into ``folder``."""

    def unchecked_secrets(self, state: DesiredState) -> list[str]:
        """Declared secrets a refresh can't compare (the API never shows them), as paths."""
        return []

    def wanted(self, state: DesiredState) -> tuple[int, ...] | None:
        """The ids to read for a refresh (``()`` for a whole list); None to read nothing."""
        return None

    def read_back(self, call: Call) -> ReadBack:
        """What verification reads to check ``call``."""
        return ReadBack("one", call.target_id)

    def verified(self, call: Call, live: Any) -> list[NotConverged]:
        """What of ``call`` the live answer (read as ``read_back`` says) does not hold."""
        return []

    def created_key(self, call: Call, answer: Any) -> str | None:
        """The key of a resource ``call`` just created, from the API's answer; None when the
        call creates nothing. ``ValueError`` when the answer carries no id."""
        return None

    def answer_kept(self, call: Call, answer: Any) -> dict[str, Any] | None:
        """The parts of a call's answer the known state keeps (None: nothing)."""
        return None

    def converged_conflicts(self, call: Call) -> frozenset[str]:
        """Error codes of a 409 that mean ``call`` had already been made (counts as done)."""
        return frozenset()

    def created_id(self, call: Call, answer: Any) -> int | None:
        """The id the API gave the resource ``call`` just created (None when it creates
        nothing): by default the id in the key ``created_key`` gives."""
        key = self.created_key(call, answer)
        identifier = key.rpartition(":")[2] if key else ""
        return int(identifier) if identifier.isdecimal() and identifier.isascii() else None

    def made_by_creation(self, call: Call, creation: Any) -> dict[str, Any] | None:
        """For a call waiting for a creation of the same apply, whose answer was ``creation``:
        what to record when that creation already did what the call would (the call is then
        not made); None to make the call."""
        return None

    def already_exists(self, call: Call, error: ApiError) -> bool:
        """Whether ``error`` refusing a create says its natural key is taken: the resource is
        then looked up, as after a lost answer."""
        return False

    def finds_created(self, call: Call) -> str | None:
        """For a create that is not idempotent: the natural key to look the resource up by
        after an answer that was lost; None for any other call."""
        return None
