from django import forms
from django.utils import timezone

from plombiers.lib.widgets import NamedModelChoiceField, QuickSelect
from plombiers.network.models import Commune, Departement, Region, School, Trade

from .selectors import GROUPS, Filters

FIRST_YEAR = 2017


class DashboardFilterForm(forms.Form):
    """The filters of a dashboard: year, trade, région, school, and the breakdown of the table."""

    year = forms.TypedChoiceField(
        label="Année", required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    trade = NamedModelChoiceField(
        label="Métier", queryset=Trade.objects.all(), required=False, empty_label="Tous", widget=QuickSelect
    )
    region = NamedModelChoiceField(
        label="Région",
        queryset=Region.objects.all(),
        required=False,
        empty_label="Toutes",
        widget=QuickSelect,
    )
    # A national network: 2,000 schools in this list (`QuickSelect`).
    school = NamedModelChoiceField(
        label="École",
        queryset=School.objects.none(),
        required=False,
        empty_label="Toutes",
        widget=QuickSelect,
    )
    group_by = forms.ChoiceField(label="Tableau par", required=False, widget=QuickSelect)

    def __init__(self, data=None, *, scope, default_group: str):
        super().__init__(data)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", "Toutes")] + [
            (y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)
        ]
        schools = scope.compiled_schools
        self.fields["school"].queryset = schools.order_by("name")
        # Only what the scope holds: a funder of two schools picks among their two regions. One
        # step at a time (communes, then départements): PostgreSQL joined every commune of each
        # region to the 2,000 schools of a national network (6 ms, 2 ms this way).
        communes = Commune.objects.filter(pk__in=schools.values("commune"))
        departements = Departement.objects.filter(pk__in=communes.values("departement"))
        self.fields["region"].queryset = Region.objects.filter(pk__in=departements.values("region")).order_by(
            "name"
        )
        self.fields["trade"].queryset = Trade.objects.filter(pk__in=schools.values("trade")).order_by("name")
        groups = {
            k: v
            for k, v in GROUPS.items()
            if not (scope.kind in ("school", "cohort") and k in ("school", "funder"))
        }
        if scope.kind == "cohort":
            groups.pop("cohort", None)
        self.fields["group_by"].choices = list(groups.items())
        self.fields["group_by"].initial = default_group
        self.default_group = default_group
        if scope.kind in ("school", "cohort"):
            for name in ("trade", "region", "school"):
                del self.fields[name]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        pk = lambda name: data.get(name).pk if data.get(name) else None  # noqa: E731
        return Filters(year=data.get("year"), trade=pk("trade"), region=pk("region"), school=pk("school"))

    def group(self) -> str:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("group_by"):
            return self.cleaned_data["group_by"]
        return self.default_group
