"""A resource's declared fields, read from its model without pydantic's serializer, are exactly
what ``model_dump(exclude_unset=True, exclude_none=True, by_alias=True)`` gives (``id`` left
out): the same keys in the same order, the same values of the same types; their comparable
form, made in the same pass, is ``comparable`` of that dump."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, SecretStr

from reconciler.core.resources import comparable, declared_fields, declared_forms
from reconciler.core.secrets import DigestKey
from reconciler.desired.models import Account, Client, Item, Sequences, Tax

_text = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["", " x ", "Lisboa"]))
_email = st.one_of(st.none(), st.sampled_from(["a@b.pt", "Geral@Exemplo.PT", "x+y@c.com"]))
_id = st.one_of(st.integers(1, 2**63 - 1), st.sampled_from(["42", "9"]))

_contact = st.fixed_dictionaries({}, optional={"name": _text, "email": _email, "phone": _text})
_client = st.fixed_dictionaries(
    {"code": st.sampled_from(["C1", "x"]), "name": st.sampled_from(["Ana", "B"])},
    optional={
        "id": st.one_of(st.none(), _id),
        "email": _email,
        "language": st.one_of(st.none(), st.sampled_from(["pt", "en", "es"])),
        "address": _text,
        "city": _text,
        "postal_code": _text,
        "country": st.one_of(st.none(), st.sampled_from(["Portugal", "spain", "Kosovo"])),
        "fiscal_id": _text,
        "website": _text,
        "phone": _text,
        "fax": _text,
        "preferred_contact": st.one_of(st.none(), _contact),
        "observations": _text,
        "send_options": st.one_of(st.none(), st.sampled_from([1, 2, 3, "2"])),
    },
)
_credentials = st.fixed_dictionaries(
    {"username": st.just("123456789/1"), "password": st.sampled_from(["secret-123", "abcdefgh"])},
    optional={
        "type": st.sampled_from([None, "AT"]),
        "context": st.sampled_from([None, "Sequences"]),
    },
)
_account = st.fixed_dictionaries(
    {"id": _id},
    optional={
        "organization_name": _text,
        "email": _email,
        "password": st.one_of(st.none(), st.just("s3cret")),
        "fiscal_id": _text,
        "tax_country": st.one_of(st.none(), st.sampled_from(["1", "Spain", 3])),
        "city": _text,
        "language": st.one_of(st.none(), st.just("pt")),
        "terms": st.sampled_from([None, 1, True, "1"]),
        "marketing": st.sampled_from([None, 0, False, "1"]),
        "credentials": st.one_of(st.none(), _credentials),
    },
)
_tax = st.fixed_dictionaries(
    {"name": st.sampled_from(["IVA23", "T"])},
    optional={
        "id": st.one_of(st.none(), _id),
        "value": st.sampled_from([None, "23", 6, "13.5"]),
        "region": st.sampled_from([None, "PT", "PT-AC"]),
        "code": st.sampled_from([None, "NOR"]),
        "default_tax": st.sampled_from([None, 0, 1, True]),
    },
)
_item = st.fixed_dictionaries(
    {"name": st.sampled_from(["Hora", "I"])},
    optional={
        "id": st.one_of(st.none(), _id),
        "description": _text,
        "unit_price": st.sampled_from([None, "60", 1, "0.50"]),
        "unit": st.sampled_from([None, "hour", "unit"]),
        "tax": st.sampled_from([None, "IVA23"]),
    },
)
_sequences = st.fixed_dictionaries(
    {},
    optional={
        "default": st.sampled_from([None, 146090, "2025"]),
        "register": st.lists(st.sampled_from([1, 2, "2025", "A"]), unique=True, max_size=3),
    },
)
models = st.one_of(
    _client.map(Client.model_validate),
    _account.map(Account.model_validate),
    _tax.map(Tax.model_validate),
    _item.map(Item.model_validate),
    _sequences.map(Sequences.model_validate),
)


KEY = DigestKey("a digest key")


def _shape(value: Any) -> Any:
    """A value with the type of every part spelled out, secrets by their text."""
    if isinstance(value, dict):
        return ("dict", [(key, _shape(item)) for key, item in value.items()])
    if isinstance(value, tuple | list):
        return (type(value).__name__, [_shape(item) for item in value])
    if isinstance(value, SecretStr):
        return ("secret", value.get_secret_value())
    return (type(value).__name__, value)


def _dumped(model: BaseModel) -> dict[str, Any]:
    data = model.model_dump(exclude_unset=True, exclude_none=True, by_alias=True)
    data.pop("id", None)
    return data


@settings(max_examples=1_000)
@given(model=models)
def test_declared_fields_are_what_pydantic_dumps(model: BaseModel) -> None:
    assert _shape(declared_fields(model)) == _shape(_dumped(model))


@settings(max_examples=1_000)
@given(model=models)
def test_both_forms_are_made_in_one_pass_as_from_the_dump(model: BaseModel) -> None:
    fields, compared = declared_forms(model, KEY)
    assert _shape(fields) == _shape(_dumped(model))
    assert _shape(compared) == _shape(comparable(_dumped(model), KEY))


def test_a_model_copied_with_its_id_dumps_alike() -> None:
    client = Client.model_validate({"code": "C1", "name": "Ana", "city": "Porto"})
    adopted = client.model_copy(update={"id": 42})
    assert _shape(declared_fields(adopted)) == _shape(_dumped(adopted))


class _Defaults(BaseModel):
    """A model whose fields have defaults that are not None."""

    count: int = 0
    flag: bool = False
    name: str = "x"


def test_a_default_left_unset_is_not_declared() -> None:
    model = _Defaults.model_validate({"flag": False})
    assert declared_fields(model) == _dumped(model) == {"flag": False}


class _Aliased(BaseModel):
    """A plain field written by its alias: pydantic dumps it by that name."""

    model_config = {"populate_by_name": True}

    to: str | None = Field(default=None, alias="from")
    size: int | None = None


def test_a_field_with_an_alias_is_declared_by_its_alias() -> None:
    model = _Aliased.model_validate({"from": "Lisboa", "size": 3})
    assert declared_fields(model) == {"from": "Lisboa", "size": 3}
    assert declared_forms(model, KEY) == ({"from": "Lisboa", "size": 3},) * 2
    assert declared_fields(model) == {"from": "Lisboa", "size": 3}  # its answer kept, alike


class _Listed(BaseModel):
    """A model with a value of a kind only pydantic's dump reads (a list), an id and a secret."""

    id: int | None = None
    tags: list[str] | None = None
    password: SecretStr | None = None


class _Holding(BaseModel):
    """A model read field by field whose nested model only pydantic's dump reads."""

    name: str
    inner: _Listed | None = None


def test_a_model_pydantic_dumps_leaves_out_its_id_and_keeps_its_secret() -> None:
    model = _Listed.model_validate({"id": 7, "tags": ["a"], "password": "s3cret"})
    fields = declared_fields(model)
    assert list(fields) == ["tags", "password"]
    assert fields["password"].get_secret_value() == "s3cret"
    body, compared = declared_forms(model, KEY)
    assert body == fields
    assert compared == {"tags": ["a"], "password": KEY.digest(SecretStr("s3cret"))}


def test_a_nested_model_pydantic_dumps_is_dumped_with_its_whole_model() -> None:
    model = _Holding.model_validate({"name": "n", "inner": {"id": 2, "tags": ["b"]}})
    assert _shape(declared_fields(model)) == _shape(_dumped(model))
    assert declared_forms(model, KEY)[1] == {"name": "n", "inner": {"id": 2, "tags": ["b"]}}


class _Contact(BaseModel):
    name: str | None = None
    email: str | None = None


class _Person(BaseModel):
    """A model not read before this module's last test: its first reading is that test's."""

    code: str
    contact: _Contact | None = None


def test_nested_fields_without_a_secret_are_held_once_by_the_body_and_the_record() -> None:
    # A plan of many changed resources keeps each body and record: a nested mapping without a
    # secret is one dict for both (neither is changed in place), from a model's first reading.
    model = _Person.model_validate({"code": "C1", "contact": {"name": "Ana", "email": "a@b.pt"}})
    body, compared = declared_forms(model, KEY)
    assert body == compared == {"code": "C1", "contact": {"name": "Ana", "email": "a@b.pt"}}
    assert body["contact"] is compared["contact"]
    contact = {"name": "x"}
    client = Client.model_validate({"code": "C1", "name": "Ana", "preferred_contact": contact})
    body, compared = declared_forms(client, KEY)
    assert body["preferred_contact"] is compared["preferred_contact"]
