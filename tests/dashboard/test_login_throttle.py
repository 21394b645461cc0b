"""Sign-in under attack: failed sign-ins are throttled per account and client address with
growing waits, so guesses from elsewhere cannot lock the real user out; the rate of failed
attempts per address and in total, and the password checks running at once, are bounded, and
an attempt refused for them answers 429 without hashing a password."""

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.app import create_app
from dashboard.login_limits import PASSWORD_CHECKS
from geo import cli
from geo.auth import passwords, throttle
from geo.auth.users import save_user
from geo.db.connection import connect
from geo.settings import get_settings
from tests.conftest import copy_database
from tests.dashboard.conftest import DEMO_PASSWORDS, add_demo_users, post_login

LOOSE = {"SAFETY_MAP_LOGIN_RATE_PER_ADDRESS": "1000 per minute", "SAFETY_MAP_LOGIN_RATE_TOTAL": "1000 per minute"}


@pytest.fixture(scope="module")
def database(city_template, server_url):
    yield from copy_database(city_template, server_url)


def app_with(url: str, **settings: str):
    """A new app on `url` with these SAFETY_MAP_* settings (read when it is built)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in settings.items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        try:
            return create_app(url)
        finally:
            get_settings.cache_clear()


@pytest.fixture(scope="module")
def app(database):
    """The throttle alone: the rate limits set out of the way."""
    add_demo_users(database)
    return app_with(database, **LOOSE)


@pytest.fixture(scope="module")
def owner(database):
    with connect(database, autocommit=True) as conn:
        yield conn


@pytest.fixture
def hashes(monkeypatch):
    """The number of password hashings made (every sign-in's goes through hash_like)."""
    made = []
    real = passwords.hash_like
    monkeypatch.setattr(passwords, "hash_like", lambda *args: made.append(1) or real(*args))
    return made


def client_at(app, address: str, **headers: str):
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    return client


def wait_over(owner, username: str, address: str) -> None:
    """As if the pair's block had run out (instead of sleeping through it)."""
    owner.execute(
        "UPDATE auth.login_throttle SET blocked_until = now() - interval '1 second'"
        " WHERE kind = 'pair' AND username = %s AND address = %s",
        [username, address],
    )


def test_guesses_from_elsewhere_do_not_lock_the_user_out(app, hashes):
    attacker = client_at(app, "203.0.113.66")
    answers = [post_login(attacker, "leader", f"guess-{n}-password").status_code for n in range(50)]
    assert answers[: throttle.PAIR.free + 1] == [401] * (throttle.PAIR.free + 1)
    assert answers.count(429) >= 50 - throttle.PAIR.free - 2  # refused, not checked
    assert len(hashes) == answers.count(401)
    user = client_at(app, "198.51.100.7")
    assert post_login(user, "leader", DEMO_PASSWORDS["leader"]).status_code == 302
    assert user.get("/").status_code == 200


def test_an_address_that_keeps_guessing_waits_longer_each_time(app, owner):
    address, username = "203.0.113.70", "township"
    guesser = client_at(app, address)
    for _ in range(throttle.PAIR.free + 1):
        assert post_login(guesser, username, "wrong-password!").status_code == 401
    waits = []
    for _ in range(3):
        refused = post_login(guesser, username, "wrong-password!")
        assert refused.status_code == 429 and "次数过多" in refused.get_data(as_text=True)
        waits.append(int(refused.headers["Retry-After"]))
        wait_over(owner, username, address)
        assert post_login(guesser, username, "wrong-password!").status_code == 401
    assert waits[0] >= 1 and waits[1] >= 2 * waits[0] - 1 and waits[2] >= 2 * waits[1] - 1, waits
    # The right password waits like any other attempt: a guesser cannot tell it from a wrong one.
    assert post_login(guesser, username, DEMO_PASSWORDS[username]).status_code == 429


def test_many_usernames_from_one_address_are_throttled_too(app, owner):
    address = "203.0.113.80"
    for n in range(throttle.ADDRESS.free + 6):  # blocked for 32 s
        throttle.note_failure(owner, f"made-up-{n}", address)
    assert post_login(client_at(app, address), "someone-new", "wrong-password!").status_code == 429
    assert post_login(client_at(app, "203.0.113.81"), "someone-new", "wrong-password!").status_code == 401


def test_guesses_from_many_places_spare_where_the_user_signs_in(app, owner):
    home = client_at(app, "198.51.100.20")
    assert post_login(home, "planner", DEMO_PASSWORDS["planner"]).status_code == 302
    for n in range(throttle.ACCOUNT.free + 15):  # blocked for 23 s
        throttle.note_failure(owner, "planner", f"192.0.2.{n}")
    stranger = client_at(app, "192.0.2.250")
    assert post_login(stranger, "planner", DEMO_PASSWORDS["planner"]).status_code == 429
    assert int(post_login(stranger, "planner", "x").headers["Retry-After"]) <= throttle.ACCOUNT.most_s
    assert post_login(client_at(app, "198.51.100.20"), "planner", DEMO_PASSWORDS["planner"]).status_code == 302


def test_an_administrator_unlocks_a_user(app, owner, database, monkeypatch, capsys):
    address = "198.51.100.30"
    for _ in range(throttle.PAIR.free + 8):
        throttle.note_failure(owner, "gridworker", address)
    user = client_at(app, address)
    assert post_login(user, "gridworker", DEMO_PASSWORDS["gridworker"]).status_code == 429
    monkeypatch.setenv("DATABASE_URL", database)
    get_settings.cache_clear()
    try:
        assert cli.main(["users", "unlock", "gridworker"]) == 0, capsys.readouterr()
    finally:
        get_settings.cache_clear()
    assert post_login(user, "gridworker", DEMO_PASSWORDS["gridworker"]).status_code == 302
    last = owner.execute("SELECT action, target FROM audit.log ORDER BY id DESC LIMIT 2").fetchall()
    assert ("login.unlocked", "gridworker") in last


def test_parallel_guesses_get_no_more_checks_than_the_free_failures(app, owner, hashes):
    save_user(owner, "guessed", "被猜的人", "wall", None, "the-real-password", "tests")

    def guess(_n):
        return post_login(client_at(app, "203.0.113.90"), "guessed", "wrong-password!").status_code

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(guess, range(30)))
    assert answers.count(401) == len(hashes) <= throttle.PAIR.free + 1
    assert answers.count(429) == 30 - len(hashes)


def test_x_forwarded_for_counts_only_behind_trusted_proxies(database, owner):
    plain, proxied = app_with(database, **LOOSE), app_with(database, SAFETY_MAP_TRUSTED_PROXIES="1", **LOOSE)
    for app, expected in ((plain, "127.0.0.1"), (proxied, "203.0.113.99")):
        username = f"forwarded-{secrets.token_hex(3)}"
        post_login(client_at(app, "127.0.0.1", x_forwarded_for="203.0.113.99"), username, "wrong-password!")
        found = owner.execute(
            "SELECT address FROM auth.login_throttle WHERE kind = 'pair' AND username = %s", [username]
        ).fetchone()
        assert found == (expected,)


def test_the_rate_limits_refuse_without_hashing(database, hashes):
    app = app_with(
        database, SAFETY_MAP_LOGIN_RATE_PER_ADDRESS="3 per minute", SAFETY_MAP_LOGIN_RATE_TOTAL="5 per minute"
    )
    flooder = client_at(app, "203.0.113.120")
    answers = [post_login(flooder, f"random-{secrets.token_hex(4)}", "x").status_code for _ in range(8)]
    assert answers == [401] * 3 + [429] * 5 and len(hashes) == 3
    others = [post_login(client_at(app, f"203.0.113.{n}"), "nobody-at-all", "x") for n in (121, 122, 123)]
    assert [r.status_code for r in others] == [401, 401, 429] and len(hashes) == 5
    assert int(others[-1].headers["Retry-After"]) >= 1
    # A good sign-in does not count against the limits, but over them it waits like the rest.
    assert post_login(client_at(app, "198.51.100.40"), "leader", DEMO_PASSWORDS["leader"]).status_code == 429


def test_a_sign_in_beyond_the_running_and_waiting_checks_is_refused_at_once(app, hashes):
    with PASSWORD_CHECKS.place() as first, PASSWORD_CHECKS.place() as second, PASSWORD_CHECKS.place() as third:
        assert first and second and third
        response = post_login(client_at(app, "198.51.100.50"), "leader", DEMO_PASSWORDS["leader"])
    assert response.status_code == 429 and "太多" in response.get_data(as_text=True)
    assert hashes == []
    assert post_login(client_at(app, "198.51.100.50"), "leader", DEMO_PASSWORDS["leader"]).status_code == 302


def test_a_wrong_password_is_audited_once_and_the_web_role_cannot_read_the_counters(app, owner, database):
    import psycopg

    from geo.db.connection import app_database_url

    failed = "SELECT coalesce(sum(times), 0) FROM audit.occurrences WHERE action = 'login.failed' AND target = 'wall'"
    before = owner.execute(failed).fetchone()[0]
    assert post_login(client_at(app, "10.9.9.9"), "wall", "not the password").status_code == 401
    assert owner.execute(failed).fetchone()[0] == before + 1
    with psycopg.connect(app_database_url(database), autocommit=True) as web:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            web.execute("SELECT username, address, signed_in_at FROM auth.login_throttle")
        # Nor can it make an address known to a user without a sign-in of its own.
        web.execute("SELECT auth.throttle_succeeded('wall', '10.66.66.66')")
    assert owner.execute("SELECT count(*) FROM auth.login_throttle WHERE address = '10.66.66.66'").fetchone()[0] == 0
