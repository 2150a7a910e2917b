"""Pages of inbox conversations (the thread, replies, status, assignment, 1:1 texting), the
offices' bot answers, and the organization's opt-outs. Thin: services and selectors decide."""

import csv
from typing import Any, cast

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from campaigns.models import OptOut, OptOutRemoval, OptOutSource
from campaigns.sending import SendRefused
from inboxes.conversations import (
    ConversationError,
    conversation_assign,
    conversation_get,
    conversation_move,
    conversation_read,
    office_people,
)
from inboxes.models import BotAnswer, Conversation, IdkReview, Inbox, Origin
from inboxes.selectors import inbox_get
from offices.models import Office, Role
from offices.permissions import TenantRequest, admin_required, role_required
from offices.selectors import office_get
from phone_numbers.display import phone_readable
from texting.direct import direct_conversation_start, direct_numbers
from texting.forms import (
    AssignForm,
    BotAnswerForm,
    DirectMessageForm,
    IdkReviewForm,
    OptOutAddForm,
    OptOutImportForm,
    OptOutRemoveForm,
    ReplyForm,
)
from texting.opt_outs import (
    opt_out_add,
    opt_out_list,
    opt_out_remove,
    opt_outs_export_rows,
    opt_outs_file_read,
    opt_outs_import,
)
from texting.outgoing import conversation_send

staff = role_required(Role.ADMIN, Role.MEMBER, model=Conversation)


# --- inboxes ----------------------------------------------------------------------------------
@role_required(Role.ADMIN, Role.MEMBER, model=Inbox)
def direct_new(request: TenantRequest, pk: int) -> HttpResponse:
    inbox = inbox_get(organization=request.organization, membership=request.membership, pk=pk)
    form = DirectMessageForm(
        request.POST if request.method == "POST" else None, numbers=direct_numbers(inbox=inbox)
    )
    if request.method == "POST" and form.is_valid():
        try:
            conversation = direct_conversation_start(
                inbox=inbox,
                number=form.cleaned_data["number"],
                phone=form.cleaned_data["phone"],
                body=form.cleaned_data["body"],
                by=request.user,
                key=form.cleaned_data["key"],
            )
        except SendRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Message to {conversation.contact_e164} queued.")
            return redirect("texting:conversation", pk=conversation.pk)
    return render(request, "texting/direct_new.html", {"inbox": inbox, "form": form})


# --- a conversation ---------------------------------------------------------------------------
def _conversation(request: TenantRequest, pk: int) -> Conversation:
    return conversation_get(organization=request.organization, membership=request.membership, pk=pk)


def _thread_context(conversation: Conversation) -> dict[str, Any]:
    thread = conversation.messages.select_related("sent_by").order_by("created_at", "id")
    return {"conversation": conversation, "thread": thread, "Origin": Origin}


@staff
def conversation_detail(request: TenantRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    conversation_read(conversation=conversation)
    return _render_conversation(request, conversation, ReplyForm())


def _render_conversation(
    request: TenantRequest, conversation: Conversation, form: ReplyForm, status: int = 200
) -> HttpResponse:
    assign_form = None
    if conversation.inbox is not None:
        assign_form = AssignForm(
            initial={"assignee": conversation.assignee_id},
            people=office_people(inbox=conversation.inbox),
        )
    context = {**_thread_context(conversation), "form": form, "assign_form": assign_form}
    return render(request, "texting/conversation.html", context, status=status)


@staff
def conversation_thread(request: TenantRequest, pk: int) -> HttpResponse:
    """The thread alone: the page polls it so new messages appear without a reload."""
    conversation = _conversation(request, pk)
    conversation_read(conversation=conversation)
    return render(request, "texting/_thread.html", _thread_context(conversation))


@staff
@require_POST
def conversation_reply(request: TenantRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            conversation_send(
                conversation=conversation,
                body=form.cleaned_data["body"],
                key=f"agent:{conversation.pk}:{form.cleaned_data['key']}",
                origin=Origin.AGENT,
                by=request.user,
            )
        except SendRefused as refusal:
            form.add_error("body", str(refusal))
        else:
            conversation_move(conversation=conversation, action="answer")
            return redirect("texting:conversation", pk=conversation.pk)
    return _render_conversation(request, conversation, form, status=400)


@staff
@require_POST
def conversation_status(request: TenantRequest, pk: int, action: str) -> HttpResponse:
    conversation = _conversation(request, pk)
    if action not in ("close", "reopen"):
        raise PermissionDenied("No such action.")
    if conversation_move(conversation=conversation, action=action):
        messages.success(request, f"Conversation {conversation.get_status_display().lower()}.")
    return redirect("texting:conversation", pk=conversation.pk)


@staff
@require_POST
def conversation_assign_view(request: TenantRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    if conversation.inbox is None:
        raise PermissionDenied("Only an inbox conversation is assigned.")
    form = AssignForm(request.POST, people=office_people(inbox=conversation.inbox))
    if form.is_valid():
        try:
            conversation_assign(conversation=conversation, assignee=form.cleaned_data["assignee"])
        except ConversationError as error:
            messages.error(request, str(error))
        else:
            who = form.cleaned_data["assignee"]
            messages.success(request, f"Assigned to {who.display_name if who else 'nobody'}.")
    else:
        messages.error(request, "Choose a person of the office.")
    return redirect("texting:conversation", pk=conversation.pk)


# --- the bot ----------------------------------------------------------------------------------
def _office(request: TenantRequest, pk: int) -> Office:
    return office_get(organization=request.organization, membership=request.membership, pk=pk)


@role_required(Role.ADMIN, Role.MEMBER, model=Office)
def bot_answers(request: TenantRequest, pk: int) -> HttpResponse:
    office = _office(request, pk)
    form = BotAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.instance.office, form.instance.organization = office, request.organization
        form.save()
        messages.success(request, "Answer added.")
        return redirect("texting:bot", pk=office.pk)
    review = IdkReview.objects.filter(office=office).first()
    context = {
        "office": office,
        "answers": BotAnswer.objects.filter(office=office).order_by("id"),
        "form": form,
        "review_form": IdkReviewForm(office=office, initial={"inbox": review and review.inbox_id}),
    }
    return render(request, "texting/bot.html", context, status=400 if form.errors else 200)


@role_required(Role.ADMIN, Role.MEMBER, model=Office)
def bot_answer_edit(request: TenantRequest, pk: int, answer_pk: int) -> HttpResponse:
    office = _office(request, pk)
    answer = get_object_or_404(BotAnswer, office=office, pk=answer_pk)
    form = BotAnswerForm(request.POST if request.method == "POST" else None, instance=answer)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            answer.delete()
            messages.success(request, "Answer deleted.")
            return redirect("texting:bot", pk=office.pk)
        if form.is_valid():
            form.save()
            messages.success(request, "Answer saved.")
            return redirect("texting:bot", pk=office.pk)
    return render(request, "texting/bot_answer.html", {"office": office, "form": form})


@role_required(Role.ADMIN, Role.MEMBER, model=Office)
@require_POST
def bot_idk_review(request: TenantRequest, pk: int) -> HttpResponse:
    office = _office(request, pk)
    form = IdkReviewForm(request.POST, office=office)
    if form.is_valid():
        inbox = form.cleaned_data["inbox"]
        if inbox is None:
            IdkReview.objects.filter(office=office).delete()
        else:
            IdkReview.objects.update_or_create(office=office, defaults={"inbox": inbox})
        messages.success(request, "IDK review inbox saved.")
    return redirect("texting:bot", pk=office.pk)


# --- opt-outs ---------------------------------------------------------------------------------
IMPORT_SALT = "texting.opt-outs-import"


@admin_required
def opt_outs(request: TenantRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    form = OptOutAddForm(
        request.POST if request.method == "POST" else None, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        opt_out_add(
            organization=request.organization,
            phone=form.cleaned_data["phone"],
            source=OptOutSource.MANUAL,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        messages.success(request, f"{phone_readable(form.cleaned_data['phone'])} opted out.")
        return redirect("texting:opt_outs")
    context = {
        "q": q,
        "opt_outs": opt_out_list(organization=request.organization, q=q)[:500],
        "removals": OptOutRemoval.objects.filter(organization=request.organization)[:20],
        "form": form,
        "import_form": OptOutImportForm(),
    }
    return render(request, "texting/opt_outs.html", context, status=400 if form.errors else 200)


@role_required(Role.ADMIN, model=OptOut)
def opt_out_remove_view(request: TenantRequest, pk: int) -> HttpResponse:
    opt_out = get_object_or_404(OptOut, organization=request.organization, pk=pk)
    form = OptOutRemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        opt_out_remove(
            organization=request.organization,
            phone=opt_out.phone,
            source=OptOutSource.MANUAL,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        messages.success(request, f"{phone_readable(opt_out.phone)} may be texted again.")
        return redirect("texting:opt_outs")
    return render(request, "texting/opt_out_remove.html", {"opt_out": opt_out, "form": form})


@admin_required
def opt_outs_import_view(request: TenantRequest) -> HttpResponse:
    if request.method == "POST" and "token" in request.POST:
        try:
            phones = signing.loads(request.POST["token"], salt=IMPORT_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, "This preview is too old: upload the file again.")
            return redirect("texting:opt_outs")
        if phones["org"] != request.organization.pk:
            raise PermissionDenied("This preview belongs to another organization.")
        added = opt_outs_import(
            organization=request.organization, phones=phones["phones"], by=request.user
        )
        messages.success(request, f"{added} numbers opted out.")
        return redirect("texting:opt_outs")
    form = OptOutImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    report = token = None
    if request.method == "POST" and form.is_valid():
        report = opt_outs_file_read(
            organization=request.organization, data=form.cleaned_data["file"].read()
        )
        token = signing.dumps(
            {"org": request.organization.pk, "phones": report.phones},
            salt=IMPORT_SALT,
            compress=True,
        )
    context = {"form": form, "report": report, "token": token}
    return render(request, "texting/opt_outs_import.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin_required
def opt_outs_export(request: TenantRequest) -> HttpResponse:
    writer = csv.writer(_Echo())
    rows = opt_outs_export_rows(organization=request.organization)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="opt-outs.csv"'
    # The role decorators are typed for HttpResponse; a streamed one serves the same way.
    return cast(HttpResponse, response)
