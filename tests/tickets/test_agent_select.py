"""The agents' <select> (AgentSelect) renders what Django's Select templates render."""

import pytest
from django import forms

from tests.factories import make_agent, make_user
from tickets.staffing.forms import AgentChoiceField, agents_queryset

pytestmark = pytest.mark.django_db


def both(value, attrs=None) -> tuple[str, str]:
    field = AgentChoiceField(queryset=agents_queryset())
    django = forms.Select(choices=field.choices)
    return (
        str(field.widget.render("agent", value, attrs)),
        str(django.render("agent", value, attrs)),
    )


@pytest.fixture
def agents():
    odd = make_agent(make_user("odd", first_name='<b>"Bo"</b>', last_name="& Co"), level=3)
    plain = make_agent(make_user("plain", first_name="Al", last_name="Ng"), on_shift=False)
    return odd, plain


def test_it_renders_the_options_like_djangos_select(agents):
    ours, django = both(None, {"id": "id_agent", "required": True})
    assert ours == django
    assert "&lt;b&gt;&quot;Bo&quot;&lt;/b&gt; &amp; Co (Senior)" in ours
    assert "Al Ng (L2) — off shift" in ours


def test_it_marks_the_chosen_agent_and_the_error_state_like_djangos_select(agents):
    odd, plain = agents
    ours, django = both(plain.pk, {"id": "id_agent", "aria-invalid": "true", "hidden": False})
    assert ours == django
    assert f'<option value="{plain.pk}" selected>' in ours
    assert 'aria-invalid="true"' in ours and "hidden" not in ours
