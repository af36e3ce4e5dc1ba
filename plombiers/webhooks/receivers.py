"""The events of the path (plombiers/lib/events.py), each turned into deliveries."""

from plombiers.lib import events

from .enums import WebhookEvent

SIGNALS = {
    events.referral_decided: WebhookEvent.REFERRAL_DECIDED,
    events.enrolment_created: WebhookEvent.ENROLMENT_CREATED,
    events.exit_recorded: WebhookEvent.EXIT_RECORDED,
    events.followup_recorded: WebhookEvent.FOLLOWUP_RECORDED,
}


def receiver_for(event: str):
    def receive(sender, instance, **kwargs):
        from . import services

        services.deliveries_create(event=event, instance=instance)

    return receive
