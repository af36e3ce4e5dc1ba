"""The `plombiers` console script: the same as `manage.py`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plombiers.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from plombiers.lib.private_files import SecretFileError

    try:
        settings.INSTALLED_APPS  # noqa: B018 — reads the settings: a refusal is said plainly
    except (ImproperlyConfigured, SecretFileError) as error:
        sys.stderr.write(f"{error}\n")
        sys.exit(2)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
