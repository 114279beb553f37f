from django.urls import path

from lagniappe.workspace.views import (
    account,
    agents,
    attachments,
    composer_hints,
    conversation,
    conversation_merge,
    customer,
    inbox,
    knowledge_editor,
    knowledge_gaps,
    notifications,
    suggestions,
    supervisor,
)
from lagniappe.workspace.views import knowledge_editor_history as knowledge_history

app_name = "workspace"

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("login", account.login, name="login"),
    path("logout", account.logout, name="logout"),
    path("preferences", account.preferences, name="preferences"),
    path("supervisor", supervisor.supervisor_board, name="supervisor"),
    path("agents/<int:agent_id>/settings", agents.agent_settings, name="agent-settings"),
    path("notifications", notifications.notification_list, name="notifications"),
    path(
        "notifications/read-all", notifications.notification_read_all, name="notification-read-all"
    ),
    path(
        "notifications/<int:notification_id>/read",
        notifications.notification_read,
        name="notification-read",
    ),
    path(
        "preferences/notifications",
        notifications.notification_preferences,
        name="notification-preferences",
    ),
    path("conversations/bulk", inbox.inbox_bulk, name="conversation-bulk"),
    path(
        "conversations/<int:conversation_id>",
        conversation.conversation_detail,
        name="conversation-detail",
    ),
    path(
        "conversations/<int:conversation_id>/reply",
        conversation.conversation_reply,
        name="conversation-reply",
    ),
    path(
        "conversations/<int:conversation_id>/note",
        conversation.conversation_note,
        name="conversation-note",
    ),
    path(
        "conversations/<int:conversation_id>/update",
        conversation.conversation_update_view,
        name="conversation-update",
    ),
    path(
        "conversations/<int:conversation_id>/take",
        conversation.conversation_take,
        name="conversation-take",
    ),
    path(
        "conversations/<int:conversation_id>/resolve",
        conversation.conversation_resolve,
        name="conversation-resolve",
    ),
    path(
        "conversations/<int:conversation_id>/transfer",
        conversation.conversation_transfer_view,
        name="conversation-transfer",
    ),
    path(
        "conversations/<int:conversation_id>/merge",
        conversation_merge.conversation_merge_view,
        name="conversation-merge",
    ),
    path(
        "conversations/<int:conversation_id>/composer-hints",
        composer_hints.conversation_composer_hints,
        name="conversation-composer-hints",
    ),
    path(
        "conversations/<int:conversation_id>/callback",
        composer_hints.conversation_callback_record,
        name="conversation-callback",
    ),
    path(
        "conversations/<int:conversation_id>/suggested-articles",
        suggestions.conversation_suggested_articles,
        name="conversation-suggested-articles",
    ),
    path(
        "attachments/<int:attachment_id>/download",
        attachments.attachment_download,
        name="attachment-download",
    ),
    path("customers/<int:customer_id>", customer.customer_detail, name="customer-detail"),
    path(
        "customers/<int:customer_id>/merge",
        customer.customer_merge_view,
        name="customer-merge",
    ),
    # Knowledge editor (issue #6): articles, versions, files, content gaps.
    path("knowledge/", knowledge_editor.article_list, name="kb-list"),
    path("knowledge/new", knowledge_editor.article_new, name="kb-new"),
    path("knowledge/preview", knowledge_editor.article_preview, name="kb-preview"),
    path("knowledge/gaps", knowledge_gaps.content_gaps_page, name="kb-gaps"),
    path(
        "knowledge/<int:article_id>/publish",
        knowledge_editor.article_publish_view,
        name="kb-publish",
    ),
    path(
        "knowledge/<int:article_id>/files",
        knowledge_history.article_file_upload,
        name="kb-file-upload",
    ),
    path(
        "knowledge/files/<int:attachment_id>",
        knowledge_history.article_file_download,
        name="kb-file",
    ),
    path(
        "knowledge/files/<int:attachment_id>/remove",
        knowledge_history.article_file_remove,
        name="kb-file-remove",
    ),
    path(
        "knowledge/<int:article_id>/<str:language>",
        knowledge_editor.article_edit,
        name="kb-article",
    ),
    path(
        "knowledge/<int:article_id>/<str:language>/history",
        knowledge_history.article_history,
        name="kb-history",
    ),
    path(
        "knowledge/<int:article_id>/<str:language>/versions/<int:version>",
        knowledge_history.article_version,
        name="kb-version",
    ),
    path(
        "knowledge/<int:article_id>/<str:language>/versions/<int:version>/restore",
        knowledge_history.article_version_restore,
        name="kb-version-restore",
    ),
]
