import pytest


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def form_data(response, **changes) -> dict:
    """The POST data of the admin form on `response`, as a browser would send it,
    with `changes` applied."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is False or value is None:
            continue  # unchecked boxes and empty fields are not sent
        data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
