"""The sign-in page: plain HTML, no script, every value escaped by Jinja."""

import re

import jinja2

from dashboard.i18n import text

# The page's words in dashboard/i18n.py (`login_<word>`).
WORDS = ("title", "username", "password", "submit", "other_language", "wrong", "throttled", "busy", "expired", "notice")


PAGE = """<!DOCTYPE html>
<html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }}</title>
<link rel="stylesheet" href="/assets/login.css">
</head>
<body class="login-body">
<main class="login-box">
  <h1>{{ t.heading }}</h1>
  <p class="login-subtitle">{{ t.subtitle }}</p>
  {% if problem %}<p class="login-problem" role="alert">{{ problem }}</p>{% endif %}
  <form method="post" action="/login{{ '?lang=en' if lang == 'en' else '' }}">
    <input type="hidden" name="csrf" value="{{ csrf }}">
    <input type="hidden" name="next" value="{{ next_page }}">
    <input type="hidden" name="lang" value="{{ lang }}">
    <label>{{ t.username }}<input name="username" autocomplete="username" required maxlength="40" autofocus></label>
    <label>{{ t.password }}<input name="password" type="password" autocomplete="current-password" required maxlength="256"></label>
    <button type="submit">{{ t.submit }}</button>
  </form>
  <p class="login-notice">{{ t.notice }}</p>
  <a class="login-language" href="/login?lang={{ 'zh' if lang == 'en' else 'en' }}">{{ t.other_language }}</a>
</main>
</body>
</html>"""


# Compiled once: compiling it took ~30 ms, for every page and every refused sign-in.
TEMPLATE = jinja2.Environment(autoescape=True).from_string(PAGE)
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]*)"')


def form_fields(page_html: str, username: str, password: str, next_page: str = "") -> dict:
    """What the sign-in form posts, its token read from the page as served (for the benchmarks,
    the load test and the tests, which sign in without a browser); no token on the page gives
    an empty one, which the server refuses."""
    token = CSRF_FIELD.search(page_html or "")
    return {"username": username, "password": password, "csrf": token.group(1) if token else "", "next": next_page}


def login_html(lang: str, csrf: str, next_page: str, problem: str | None) -> str:
    """The page in `lang` ('zh' or 'en'), with the problem of the last attempt if any."""
    words = {key: text(f"login_{key}", lang) for key in WORDS} | {
        "heading": text("title", lang),
        "subtitle": text("subtitle", lang),
    }
    shown = words.get(problem) if problem else None
    return TEMPLATE.render(t=words, lang=lang, csrf=csrf, next_page=next_page, problem=shown)
