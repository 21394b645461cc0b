"""The sign-in page: plain HTML, no script, every value escaped by Jinja."""

from flask import render_template_string

TEXT = {
    "title": ("平安地图 · 登录", "Safety Map · Sign in"),
    "heading": ("平安地图", "Safety Map"),
    "subtitle": ("网格化社会治理态势", "Grid-based governance situation"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "submit": ("登录", "Sign in"),
    "other_language": ("English", "中文"),
    "wrong": ("用户名或密码不正确。", "Wrong username or password."),
    "throttled": (
        "该用户登录失败次数过多，请 15 分钟后再试。",
        "Too many failed sign-ins for this user; try again in 15 minutes.",
    ),
    "expired": ("登录页面已过期，请重新输入。", "The sign-in page expired; please try again."),
    "notice": (
        "重点人群信息属于敏感个人信息，查看和导出均记录在审计日志中。",
        "Key-population records are sensitive personal information; every view and export is audited.",
    ),
}

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


def login_html(lang: str, csrf: str, next_page: str, problem: str | None) -> str:
    """The page in `lang` ('zh' or 'en'), with the problem of the last attempt if any."""
    index = 1 if lang == "en" else 0
    words = {key: pair[index] for key, pair in TEXT.items()}
    shown = words.get(problem) if problem else None
    return render_template_string(PAGE, t=words, lang=lang, csrf=csrf, next_page=next_page, problem=shown)
