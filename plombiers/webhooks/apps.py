from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "plombiers.webhooks"
    verbose_name = "Webhooks des partenaires"

    def ready(self):
        """Listen to the events of the path (plombiers/lib/events.py): no app below imports this one."""
        from . import receivers

        for signal, event in receivers.SIGNALS.items():
            signal.connect(receivers.receiver_for(event), dispatch_uid=f"webhooks:{event}", weak=False)
