"""« Webhooks »: the subscriptions of one's organisation (the network's partners', for its staff), the
secret shown once, the delivery log and « Renvoyer »."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from plombiers.forms import add_service_errors
from plombiers.views import paginate

from . import services
from .forms import SubscriptionForm
from .models import Delivery
from .permissions import may_use_webhooks, subscribable_organisations
from .selectors import deliveries_of, subscriptions_for


def _check(user) -> None:
    if not may_use_webhooks(user):
        raise PermissionDenied(
            "Les webhooks sont réservés aux structures prescriptrices, aux financeurs et à la tête de réseau."
        )


def _list_page(request, form, *, created=None, secret=None, status=200):
    subscriptions = subscriptions_for(request.user).order_by("-created_at", "-pk")
    context = {"subscriptions": subscriptions, "form": form, "created": created, "secret": secret}
    return render(request, "webhooks/subscription_list.html", context, status=status)


def _form(user, data=None):
    return SubscriptionForm(data, organisations=subscribable_organisations(user))


@require_GET
def subscription_list(request):
    _check(request.user)
    return _list_page(request, _form(request.user))


@never_cache
@require_POST
def subscription_create(request):
    """A new subscription: the secret is on the page this answers with, once (never redirected)."""
    _check(request.user)
    form = _form(request.user, request.POST)
    if form.is_valid():
        try:
            subscription, secret = services.subscription_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _list_page(request, _form(request.user), created=subscription, secret=secret)
    return _list_page(request, form, status=400)


@require_POST
def subscription_delete(request, pk: int):
    subscription = get_object_or_404(subscriptions_for(request.user), pk=pk)
    services.subscription_delete(subscription=subscription, by=request.user)
    messages.success(
        request, f"L'abonnement vers {subscription.url} est supprimé : plus rien n'y est envoyé."
    )
    return redirect("webhooks:subscription_list")


@require_GET
def subscription_detail(request, pk: int):
    """The delivery log of one subscription."""
    subscription = get_object_or_404(subscriptions_for(request.user), pk=pk)
    page = paginate(request, deliveries_of(subscription))
    return render(
        request,
        "webhooks/subscription_detail.html",
        {"subscription": subscription, "page": page, "query": ""},
    )


@require_POST
def delivery_redeliver(request, pk: int):
    delivery = get_object_or_404(
        Delivery.objects.visible_to(request.user).select_related("subscription"), pk=pk
    )
    try:
        services.delivery_redeliver(delivery=delivery, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "L'événement est renvoyé : la nouvelle livraison est en tête du journal.")
    return redirect("webhooks:subscription_detail", pk=delivery.subscription_id)
