from django import forms

from plombiers.forms import Form

from .enums import Audience
from .questionnaires import Questionnaire
from .services import TEXT_MAX_LENGTH


class AnswerForm(forms.Form):
    """The questionnaire as a form: one radio group per closed question, a text area for the rest.

    Rendered by hand (fieldsets, legends, big radio buttons) in `surveys/answer.html`; the service
    checks the answers again. No `required` attribute: the French errors come from the server."""

    use_required_attribute = False

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        for question in questionnaire.questions:
            if question.is_closed:
                self.fields[question.code] = forms.TypedChoiceField(
                    label=question.label,
                    help_text=question.help,
                    choices=[(str(v), label) for v, label in question.choices],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": "Choisissez une réponse.",
                        "invalid_choice": "Cette réponse n'est pas dans la liste.",
                    },
                )
            else:
                self.fields[question.code] = forms.CharField(
                    label=question.label,
                    help_text=question.help,
                    required=False,
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(
                        attrs={
                            "rows": 4,
                            "class": "form-control",
                            "aria-describedby": f"aide-{question.code}",
                        }
                    ),
                    error_messages={
                        "max_length": f"Votre texte est trop long ({TEXT_MAX_LENGTH} caractères au plus)."
                    },
                )

    def questions(self):
        """(question, bound field) pairs, in the questionnaire's order, for the template."""
        return [(q, self[q.code]) for q in self.questionnaire.questions]


class InviteForm(Form):
    audience = forms.ChoiceField(
        label="Public",
        choices=[
            (Audience.LEARNER, "Les jeunes de la promotion"),
            (Audience.FUNDER, "Les financeurs de l'école"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez qui inviter."},
    )
