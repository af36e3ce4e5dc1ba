import json

from django import forms

from plombiers.forms import Form

from .badges import BadgeError, extract, is_image

MAX_UPLOAD = 1_000_000


class VerifyUploadForm(Form):
    file = forms.FileField(
        label="Fichier de l'attestation (.json) ou son badge (.png, .svg)",
        required=False,
        help_text="Le fichier JSON reçu (credential Open Badges 3.0), ou l'image du badge qui le "
        "contient, 1 Mo au plus.",
    )
    text = forms.CharField(
        label="Ou collez son contenu",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        data["source"] = ""
        raw = text.encode("utf-8") if text and not upload else b""
        if upload:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError("Le fichier dépasse 1 Mo : ce n'est pas une attestation.")
            raw = upload.read(MAX_UPLOAD + 1)
        if raw and is_image(raw):
            # a baked badge: the credential is inside the image
            try:
                text, kind = extract(raw)
            except BadgeError as error:
                raise forms.ValidationError(str(error)) from None
            data["source"] = f"badge {kind}"
        elif upload:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("Le fichier n'est ni un JSON, ni une image PNG ou SVG.") from None
        if not text:
            raise forms.ValidationError("Choisissez un fichier ou collez le contenu de l'attestation.")
        if len(text) > MAX_UPLOAD:
            raise forms.ValidationError("Le contenu dépasse 1 Mo : ce n'est pas une attestation.")
        try:
            data["document"] = json.loads(text)
        except ValueError:
            raise forms.ValidationError("Ce contenu n'est pas du JSON valide.") from None
        return data


class RevokeForm(Form):
    reason = forms.CharField(
        label="Motif de la révocation",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Gardé dans le journal d'audit. Une attestation révoquée est signalée comme telle partout.",
    )
