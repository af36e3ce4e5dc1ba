"""What the menu needs to mark the current page, for every template: the URL's name and its
application, empty when the request matched no URL (a 404 page) — never a lookup on `None`."""


def current_page(request) -> dict[str, str]:
    match = getattr(request, "resolver_match", None)
    return {
        "url_name": (match.url_name or "") if match else "",
        "app_name": (match.app_name or "") if match else "",
    }
