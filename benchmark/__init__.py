"""The benchmark (docs/PERFORMANCE.md): ``manage.py bench`` serves generated articles with
gunicorn and measures the pages against the ceiling page. Installed and routed only when
``NEWSROOM_BENCHMARK=1`` (newsroom/settings.py, newsroom/urls.py), never in normal production.
"""
