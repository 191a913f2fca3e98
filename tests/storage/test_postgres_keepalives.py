"""Every connection to the known-state database asks for TCP keepalives, unless the URL says
otherwise: an idle connection is not dropped silently by a firewall, and a dead peer is found."""

from __future__ import annotations

from reconciler.storage.database import KEEPALIVES, connect


def _options(url: str) -> dict[str, str]:
    connection = connect(url, "keepalive test")
    try:
        return {
            option.keyword.decode(): (option.val or b"").decode()
            for option in connection.pgconn.info
        }
    finally:
        connection.close()


def test_a_connection_asks_for_keepalives_and_a_user_timeout(postgres_url: str) -> None:
    options = _options(postgres_url)
    for name, value in KEEPALIVES.items():
        assert options[name] == str(value), name
    assert options["keepalives"] == "1"
    assert int(options["tcp_user_timeout"]) > 0


def test_values_the_url_sets_are_kept(postgres_url: str) -> None:
    url = f"{postgres_url}?keepalives_idle=7&keepalives_count=9&tcp_user_timeout=1234"
    options = _options(url)
    assert (options["keepalives_idle"], options["keepalives_count"]) == ("7", "9")
    assert options["tcp_user_timeout"] == "1234"
    assert options["keepalives_interval"] == str(KEEPALIVES["keepalives_interval"])
