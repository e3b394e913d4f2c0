"""HTTP resources of the notifications service: views translate, stores and rules decide."""

from services.notifications.resources import notification_views, recipient_views, template_views

BLUEPRINTS = (notification_views.blp, recipient_views.blp, template_views.blp)
