"""A server's numeric text is read as a number only when it is ASCII decimal digits.

``str.isdigit`` takes other scripts' digits (``int("٢") == 2``), and ``int`` raises on more
than 4,300 digits: a server's ``"٢"`` must not compare equal to a declared 2, and a huge id
must not end the run with a traceback.
"""

from __future__ import annotations

from reconciler.core.normalize import client_id, live_client


def test_send_options_in_other_digits_stay_text() -> None:
    assert live_client({"send_options": "2"})["send_options"] == 2
    assert live_client({"send_options": "٢"})["send_options"] == "٢"


def test_a_client_id_in_other_digits_or_too_long_is_no_id() -> None:
    assert client_id({"id": "42"}) == 42
    assert client_id({"id": "٤٢"}) is None
    assert client_id({"id": "9" * 5000}) is None
