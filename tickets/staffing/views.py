"""/pools/: VIP agent pools, their members, workload and PTO (support leads)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tickets import access
from tickets.models import AgentLevel
from tickets.staffing import pools
from tickets.staffing.forms import AddMemberForm, PtoEditForm, PtoForm
from vipdesk.lib.options import options


def agent_options(agents, selected=None) -> SafeString:
    """<option>s of every agent ("Name (Level)"), `selected` (an id) marked."""
    labels = dict(AgentLevel.choices)
    return options(((a.pk, f"{a} ({labels[a.level]})") for a in agents), selected)


def _pools_response(request, *, pto_form=None, status=200):
    context = pools.pool_board()
    can_manage = access.can_manage_pools(request.user)
    pto_form = pto_form or PtoForm()
    agents = context["agents"] if can_manage else []
    # Built once in Python, used by every pool's "Add a member" list (and the PTO form's
    # unless it comes back with a choice): a template loop over every agent per list
    # was a good part of the page's time.
    options = agent_options(agents)
    chosen = pto_form["agent"].value()
    context.update(
        can_manage=can_manage,
        agent_options=options,
        pto_agent_options=agent_options(agents, selected=chosen) if chosen else options,
        pto_form=pto_form,
        warn_seconds=context["policy"].sla_warning_minutes * 60,
    )
    return TemplateResponse(request, "tickets/pools.html", context, status=status)


@require_GET
def pool_list(request):
    access.require_pool_manager(request)
    return _pools_response(request)


@require_POST
def pool_add_member(request, pool_id):
    pool = access.get_pool_for_manager(request, pool_id)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        pool.members.add(form.cleaned_data["agent"])
        messages.success(request, f"{form.cleaned_data['agent']} added to {pool.name}.")
    else:
        messages.error(request, "Choose an agent to add.")
    return redirect("pools")


@require_POST
def pool_remove_member(request, pool_id, agent_id):
    pool = access.get_pool_for_manager(request, pool_id)
    agent = access.get_agent_for_manager(request, agent_id)
    pool.members.remove(agent)
    messages.success(request, f"{agent} removed from {pool.name}.")
    return redirect("pools")


@require_POST
def pto_add(request):
    access.require_pool_manager(request)
    form = PtoForm(request.POST)
    if not form.is_valid():
        return _pools_response(request, pto_form=form, status=400)
    pto = form.save()
    messages.success(request, f"PTO added: {pto}.")
    return redirect("pools")


@require_http_methods(["GET", "POST"])
def pto_edit(request, pto_id):
    pto = access.get_pto_for_manager(request, pto_id)
    if request.method == "POST":
        form = PtoEditForm(request.POST, instance=pto)
        if form.is_valid():
            form.save()
            messages.success(request, f"PTO changed: {pto}.")
            return redirect("pools")
        status = 400
    else:
        form, status = PtoEditForm(instance=pto), 200
    return TemplateResponse(
        request, "tickets/pto_edit.html", {"form": form, "pto": pto}, status=status
    )


@require_POST
def pto_delete(request, pto_id):
    pto = access.get_pto_for_manager(request, pto_id)
    label = str(pto)
    pto.delete()
    messages.success(request, f"PTO deleted: {label}.")
    return redirect("pools")
