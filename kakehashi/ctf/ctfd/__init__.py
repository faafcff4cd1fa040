"""A CTFd-compatible REST API (``/api/v1/``), so that ctfcli and CTFd clients work against Kakehashi.

Requests are translated into calls of the same access functions, selectors and services as the
native API; no rule lives here. CTFd has no notion of several events, so every request addresses
the instance's **default event** (``Event.objects.filter(is_default=True)``); an instance without
one answers 404. Names and texts are in English unless the request asks for a language with
``?lang=`` or ``Accept-Language`` (ctfcli sends neither and finds challenges by English name).
"""
