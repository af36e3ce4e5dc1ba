import functools


def scoped(method):
    """The access rule every `visible_to`/`editable_by` starts with: an anonymous or deactivated
    user gets nothing, a superuser everything; the method decides for everybody else. Here, in the
    base, so that an app below `accounts` (`privacy`) scopes its querysets the same way."""

    @functools.wraps(method)
    def wrapper(self, user, *args, **kwargs):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return method(self, user, *args, **kwargs)

    return wrapper
