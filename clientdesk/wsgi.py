import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
application = get_wsgi_application()

if os.environ.get("CLIENTDESK_WARM_UP") == "1":  # `clientdesk serve`, before it forks workers
    from clientdesk.web.warm import warm_up

    warm_up()
