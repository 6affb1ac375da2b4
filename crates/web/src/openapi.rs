//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. Operations are
//! listed once here (method, path, what it does, its request and response types); the schemas are
//! generated from the response and request types themselves (`utoipa::ToSchema` on each
//! feature's `dto.rs` and bodies). An integration test checks that every routed API path is here
//! and that every operation here is routed. Responses still built as untyped JSON are described
//! as objects until their feature gains a `dto.rs`.

use std::sync::OnceLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::{OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, HttpMethod, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref, Required,
};

/// One API operation.
struct Op {
    method: HttpMethod,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    /// The request body's schema, if it takes one ("" for an untyped object).
    body: Option<&'static str>,
    /// The success status and the response's schema ("" for an untyped object, `None`: no body).
    ok: (u16, Option<&'static str>),
}

const fn op(
    method: HttpMethod,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    body: Option<&'static str>,
    ok: (u16, Option<&'static str>),
) -> Op {
    Op {
        method,
        path,
        tag,
        summary,
        body,
        ok,
    }
}

use HttpMethod::{Delete as DELETE, Get as GET, Patch as PATCH, Post as POST};

const OBJ: Option<&str> = Some("");
const NONE: Option<&str> = None;

#[rustfmt::skip]
static OPERATIONS: &[Op] = &[
    op(GET, "/openapi.json", "meta", "This description of the API (OpenAPI 3.1)", NONE, (200, OBJ)),
    // accounts
    op(POST, "/signup", "accounts", "Sign up; 202 whether or not the address has an account (no enumeration)", OBJ, (202, OBJ)),
    op(POST, "/session", "accounts", "Log in with email and password", OBJ, (200, OBJ)),
    op(DELETE, "/session", "accounts", "Log out this session", NONE, (204, NONE)),
    op(GET, "/me", "accounts", "The signed-in account", NONE, (200, OBJ)),
    op(PATCH, "/me", "accounts", "Change name, username, email or password", OBJ, (200, OBJ)),
    op(DELETE, "/me", "accounts", "Delete the account (P10)", OBJ, (204, NONE)),
    op(POST, "/me/deactivate", "accounts", "Deactivate the account (P9)", OBJ, (204, NONE)),
    op(GET, "/me/export", "privacy", "Download everything held about me as a ZIP (P8)", NONE, (200, NONE)),
    op(GET, "/me/sessions", "accounts", "My sessions, with browser family and masked IP", NONE, (200, OBJ)),
    op(POST, "/me/exports", "privacy", "Ask for the archive to be built in the background (P8)", NONE, (202, OBJ)),
    op(GET, "/me/visibility", "privacy", "Who can see what about me", NONE, (200, OBJ)),
    op(GET, "/me/invitations", "invitations", "Invitations addressed to me", NONE, (200, OBJ)),
    op(DELETE, "/me/invitations/{id}", "invitations", "Decline an invitation addressed to me", NONE, (204, NONE)),
    op(POST, "/me/invitations/{id}/accept", "invitations", "Accept an invitation addressed to me", NONE, (200, OBJ)),
    // privacy
    op(GET, "/groups/{key}/deletion-requests", "privacy", "A group's deletion requests, for its coordinators (P12)", NONE, (200, OBJ)),
    op(POST, "/groups/{key}/deletion-requests", "privacy", "Ask a group's coordinators to delete my content (P12)", OBJ, (201, OBJ)),
    op(POST, "/groups/{key}/deletion-requests/{request}", "privacy", "Resolve a deletion request", OBJ, (204, NONE)),
    op(POST, "/privacy/requests", "privacy", "Write to the data protection officer", OBJ, (201, OBJ)),
    op(GET, "/admin/deletion-requests", "admin", "The instance's deletion requests", NONE, (200, OBJ)),
    op(POST, "/admin/deletion-requests/{request}", "admin", "Resolve a request to the data protection officer", OBJ, (204, NONE)),
    op(GET, "/groups/{key}/support", "privacy", "Support access: the open grant and the access log (P13)", NONE, (200, OBJ)),
    op(POST, "/groups/{key}/support", "privacy", "Open support access for some hours", OBJ, (204, NONE)),
    op(DELETE, "/groups/{key}/support", "privacy", "Close support access", NONE, (204, NONE)),
    op(POST, "/groups/{key}/maintenance", "admin", "Open one hour of maintenance access, with a reason", OBJ, (204, NONE)),
    op(GET, "/admin/jobs", "admin", "Background jobs that failed at every attempt", NONE, (200, Some("DeadJobsDto"))),
    op(POST, "/admin/jobs/{id}/retry", "admin", "Give a dead job a new round of attempts", NONE, (204, NONE)),
    op(GET, "/admin/emails", "admin", "Emails that could not be delivered at any attempt", NONE, (200, Some("DeadEmailsDto"))),
    op(POST, "/admin/emails/{id}/retry", "admin", "Send a dead email again", NONE, (200, Some("RetriedDto"))),
    op(POST, "/admin/emails/retry", "admin", "Send every dead email again", NONE, (200, Some("RetriedDto"))),
    // groups
    op(GET, "/groups", "groups", "My groups", NONE, (200, Some("MyGroupsDto"))),
    op(POST, "/groups", "groups", "Create a group (or a subgroup)", Some("GroupBody"), (201, Some("GroupDto"))),
    op(GET, "/groups/{key}", "groups", "A group, with what the viewer may do", NONE, (200, Some("GroupDto"))),
    op(PATCH, "/groups/{key}", "groups", "Change a group's settings", Some("GroupBody"), (200, Some("GroupDto"))),
    op(DELETE, "/groups/{key}", "groups", "Delete a group and everything in it", OBJ, (204, NONE)),
    op(GET, "/groups/{key}/members", "groups", "Members (emails for coordinators only, P6)", NONE, (200, Some("MembersDto"))),
    op(PATCH, "/groups/{key}/members/{user}", "groups", "Promote or demote a member", Some("RoleBody"), (204, NONE)),
    op(DELETE, "/groups/{key}/members/{user}", "groups", "Remove a member", NONE, (204, NONE)),
    op(POST, "/groups/{key}/join", "groups", "Join an open group", NONE, (204, NONE)),
    op(POST, "/groups/{key}/leave", "groups", "Leave a group", NONE, (204, NONE)),
    op(GET, "/groups/{key}/email-address", "groups", "Your own address for starting threads by email here", NONE, (200, Some("EmailAddressDto"))),
    op(POST, "/groups/{key}/email-address", "groups", "Replace your address for starting threads by email", NONE, (200, Some("EmailAddressDto"))),
    op(POST, "/groups/{key}/archive", "groups", "Archive a group (read-only)", NONE, (204, NONE)),
    op(POST, "/groups/{key}/restore", "groups", "Restore an archived group", NONE, (204, NONE)),
    op(GET, "/groups/{key}/requests", "groups", "Pending requests to join", NONE, (200, Some("RequestsDto"))),
    op(POST, "/groups/{key}/requests", "groups", "Ask to join", Some("RequestBody"), (202, NONE)),
    op(POST, "/groups/{key}/requests/{id}/{answer}", "groups", "Approve or ignore a request to join", NONE, (204, NONE)),
    op(GET, "/explore", "groups", "Open groups listed in Explore", NONE, (200, Some("ExploreDto"))),
    // invitations
    op(GET, "/groups/{key}/invitations", "invitations", "Pending invitations", NONE, (200, OBJ)),
    op(POST, "/groups/{key}/invitations", "invitations", "Invite people by email", OBJ, (200, OBJ)),
    op(DELETE, "/groups/{key}/invitations/{id}", "invitations", "Revoke an invitation", NONE, (204, NONE)),
    op(POST, "/groups/{key}/invitations/{id}/resend", "invitations", "Send an invitation again with a new link", NONE, (204, NONE)),
    op(GET, "/groups/{key}/invite-link", "invitations", "The group's shareable link", NONE, (200, OBJ)),
    op(POST, "/groups/{key}/invite-link", "invitations", "Create or replace the shareable link", OBJ, (200, OBJ)),
    op(DELETE, "/groups/{key}/invite-link", "invitations", "Switch the shareable link off", NONE, (204, NONE)),
    op(POST, "/join/{token}", "invitations", "Join through a shareable link", NONE, (200, OBJ)),
    op(GET, "/invitations/{token}", "invitations", "An invitation behind an emailed link", NONE, (200, OBJ)),
    op(POST, "/invitations/{token}/accept", "invitations", "Accept an emailed invitation", OBJ, (200, OBJ)),
    // threads
    // polls
    op(GET, "/threads/{key}/polls", "polls", "A thread's polls", NONE, (200, Some("PollListDto"))),
    op(POST, "/threads/{key}/polls", "polls", "Raise a poll in a thread (members as the group allows)", Some("PollBody"), (201, Some("PollDto"))),
    op(GET, "/groups/{key}/polls", "polls", "A group's polls that stand on their own, open first", NONE, (200, Some("PollListDto"))),
    op(GET, "/groups/{key}/poll-templates", "polls", "The templates a poll in this group can be raised from, in the group's order", NONE, (200, Some("TemplateListDto"))),
    op(POST, "/polls/{key}/template", "polls", "Save a poll's settings as a template of its group (coordinators)", Some("SaveTemplateBody"), (201, OBJ)),
    op(POST, "/groups/{key}/polls", "polls", "Raise a poll on its own in a group (members as the group allows)", Some("PollBody"), (201, Some("PollDto"))),
    op(GET, "/polls/{key}", "polls", "A poll, with results only when the viewer may see them", NONE, (200, Some("PollDto"))),
    op(PATCH, "/polls/{key}", "polls", "Change a poll before its first vote (kind and anonymity stay)", Some("PollBody"), (200, Some("PollDto"))),
    op(DELETE, "/polls/{key}", "polls", "Delete a poll with its votes", NONE, (204, NONE)),
    op(GET, "/polls/{key}/votes", "polls", "Current votes with reasons (never for anonymous polls)", NONE, (200, Some("VotesDto"))),
    op(POST, "/polls/{key}/votes", "polls", "Cast or change my vote", Some("VoteBody"), (200, Some("PollDto"))),
    op(DELETE, "/polls/{key}/votes/mine", "polls", "Withdraw my vote (its history stays)", NONE, (204, NONE)),
    op(POST, "/polls/{key}/options", "polls", "Add an option while voting, when the poll allows it", Some("OptionBody"), (201, Some("PollDto"))),
    op(POST, "/polls/{key}/close", "polls", "Close the poll now", NONE, (200, Some("PollDto"))),
    op(POST, "/polls/{key}/remind", "polls", "Email everyone who may vote and has not", NONE, (200, Some("RemindedDto"))),
    op(POST, "/polls/{key}/reopen", "polls", "Reopen a closed poll (never an anonymous one)", Some("ClosingBody"), (200, Some("PollDto"))),
    op(POST, "/polls/{key}/extend", "polls", "Move the closing time of an open poll", Some("ClosingBody"), (200, Some("PollDto"))),
    op(POST, "/polls/{key}/outcome", "polls", "Write the outcome of a closed poll", Some("OutcomeBody"), (200, Some("PollDto"))),
    op(POST, "/polls/{key}/reactions", "polls", "Add or take back a reaction on the poll, a vote (vote_id) or its outcome (outcome_id)", Some("PollReactionBody"), (200, OBJ)),
    op(GET, "/groups/{key}/threads", "threads", "A group's threads, one page", NONE, (200, Some("ThreadListDto"))),
    op(POST, "/groups/{key}/threads", "threads", "Start a thread", Some("ThreadBody"), (201, Some("ThreadDto"))),
    op(GET, "/threads/{key}", "threads", "A thread and one page of its timeline (?from=seq)", NONE, (200, Some("ThreadPageDto"))),
    op(PATCH, "/threads/{key}", "threads", "Edit title, context, privacy or tags", Some("ThreadBody"), (200, Some("ThreadDto"))),
    op(DELETE, "/threads/{key}", "threads", "Delete a thread", NONE, (204, NONE)),
    op(GET, "/threads/{key}/history", "threads", "Earlier versions of the title and context", NONE, (200, OBJ)),
    op(POST, "/threads/{key}/move", "threads", "Move to another group the caller coordinates", Some("MoveBody"), (200, Some("ThreadDto"))),
    op(POST, "/threads/{key}/volume", "threads", "Mute, quiet, normal or loud (or as the group)", Some("VolumeBody"), (204, NONE)),
    // notifications
    op(GET, "/notifications", "notifications", "The caller's notifications, newest first (?before=id)", NONE, (200, Some("NotificationsDto"))),
    op(GET, "/notifications/unread", "notifications", "How many are unread (the bell)", NONE, (200, Some("UnreadDto"))),
    op(POST, "/notifications/read", "notifications", "Mark some ({ids}) or all ({all: true}) read", Some("ReadBody"), (204, NONE)),
    op(GET, "/groups/{key}/volume", "notifications", "The caller's volume for a group", NONE, (200, Some("VolumeDto"))),
    op(POST, "/groups/{key}/volume", "notifications", "Set the caller's volume for a group (everywhere: all their groups)", Some("VolumeChoiceBody"), (204, NONE)),
    op(GET, "/me/digest", "notifications", "The caller's catch-up digest: how often, which day, when the next comes", NONE, (200, Some("DigestDto"))),
    op(POST, "/me/digest", "notifications", "Choose the catch-up digest: off, daily, every_other_day or weekly (with a day)", Some("DigestBody"), (200, Some("DigestDto"))),
    op(GET, "/polls/{key}/volume", "notifications", "The caller's own volume for a poll", NONE, (200, Some("VolumeDto"))),
    op(POST, "/polls/{key}/volume", "notifications", "Set (or with \"group\", clear) the caller's volume for a poll", Some("VolumeChoiceBody"), (204, NONE)),
    op(GET, "/threads/{key}/guests", "threads", "The thread's guests", NONE, (200, OBJ)),
    op(POST, "/threads/{key}/guests", "threads", "Invite guests into this thread", Some("GuestsBody"), (200, OBJ)),
    op(GET, "/threads/{key}/mentionable", "threads", "Whom `@q…` may mean: people who may read the thread, for someone who may comment (`?q=`)", NONE, (200, OBJ)),
    op(DELETE, "/threads/{key}/guests/{user}", "threads", "Remove a guest", NONE, (204, NONE)),
    op(POST, "/threads/{key}/comments", "threads", "Comment, or reply to a comment", Some("CommentBody"), (201, OBJ)),
    op(PATCH, "/threads/{key}/comments/{id}", "threads", "Edit a comment (the earlier version is kept)", Some("CommentBody"), (200, Some("CommentDto"))),
    op(DELETE, "/threads/{key}/comments/{id}", "threads", "Delete a comment (it can be brought back until `restorable_until`)", NONE, (200, OBJ)),
    op(POST, "/preview", "threads", "Render markdown as it will read once posted (nothing is stored)", Some("PreviewBody"), (200, OBJ)),
    op(POST, "/threads/{key}/comments/{id}/restore", "threads", "Bring back a comment you deleted, before it is erased", NONE, (200, OBJ)),
    op(POST, "/threads/{key}/comments/{id}/reactions", "threads", "Toggle a reaction", Some("ReactionBody"), (200, OBJ)),
    op(POST, "/threads/{key}/{change}", "threads", "pin, unpin, close, reopen or read", NONE, (204, NONE)),
];

fn content(schema: &str) -> utoipa::openapi::Content {
    if schema.is_empty() {
        ContentBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::Object).build()))
            .build()
    } else {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(schema)))
            .build()
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content("Error"))
        .build()
}

fn parameter(name: &str) -> utoipa::openapi::path::Parameter {
    let integer = matches!(name, "id");
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(if integer { Type::Integer } else { Type::String })
                .build(),
        ))
        .build()
}

/// An error answer: `{"error": code, "message": text}`; a 422 is `{"errors": {field: [message]}}`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes JSON built in `error.rs`
struct Error {
    error: String,
    message: String,
}

fn build() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for o in OPERATIONS {
        let mut responses = ResponsesBuilder::new();
        let mut ok = ResponseBuilder::new().description("Success");
        if let Some(schema) = o.ok.1 {
            ok = ok.content("application/json", content(schema));
        }
        responses = responses
            .response(o.ok.0.to_string(), ok.build())
            .response("401", error_response("Not logged in (`unauthenticated`)"))
            .response("403", error_response("Not allowed"))
            .response("404", error_response("Not found, or hidden from the caller"))
            .response(
                "422",
                error_response("Invalid input: `{\"errors\": {field: [message]}}`; nothing was stored"),
            )
            .response("429", error_response("Too many attempts; see Retry-After"));
        let mut operation = OperationBuilder::new()
            .summary(Some(o.summary))
            .tag(o.tag)
            .responses(responses.build());
        for segment in o.path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                operation = operation.parameter(parameter(name));
            }
        }
        if let Some(schema) = o.body {
            operation = operation.request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", content(schema))
                    .required(Some(Required::True))
                    .build(),
            ));
        }
        paths = paths.path(
            format!("/api/v1{}", o.path),
            PathItem::new(o.method.clone(), operation.build()),
        );
    }
    use crate::groups::api::{GroupBody, GroupFlagsBody, RequestBody, RoleBody};
    use crate::groups::dto::{
        ExploreDto, ExploredGroupDto, GroupDto, MemberDto, MembersDto, MyGroupDto, MyGroupsDto, RequestDto, RequestsDto,
    };
    use crate::jobs::api::{DeadJobDto, DeadJobsDto};
    use crate::outbox::api::{DeadEmailDto, DeadEmailsDto, RetriedDto};
    use crate::polls::api::{
        ChoiceBody, ClosingBody, OptionBody, OutcomeBody, PollBody, PollReactionBody, RemindedDto, VoteBody,
    };
    use crate::polls::dto::{
        ChoiceDto, ListedPollDto, OptionDto, OutcomeDto, PollDto, PollListDto, PollReactionDto, ResultRowDto,
        ResultsDto, VoteDto, VotesDto,
    };
    use crate::threads::api::{
        CommentBody, GuestsBody, MoveBody, ReactionBody, Tags, ThreadBody, ThreadListDto, VolumeBody,
    };
    use crate::threads::dto::{
        CommentDto, EventDto, GroupRef, ListedThreadDto, PersonRef, ReactionDto, ThreadDto, ThreadPageDto,
    };
    let components = ComponentsBuilder::new()
        .schema_from::<Error>()
        .schema_from::<PollDto>()
        .schema_from::<PollListDto>()
        .schema_from::<ListedPollDto>()
        .schema_from::<OptionDto>()
        .schema_from::<ResultsDto>()
        .schema_from::<ResultRowDto>()
        .schema_from::<crate::polls::dto::PassTestDto>()
        .schema_from::<crate::polls::dto::CountDto>()
        .schema_from::<crate::polls::dto::StageDto>()
        .schema_from::<crate::polls::dto::StageTallyDto>()
        .schema_from::<crate::polls::dto::QuorumDto>()
        .schema_from::<crate::polls::api::PassTestBody>()
        .schema_from::<crate::polls::templates::TemplateDto>()
        .schema_from::<crate::polls::templates::TemplateListDto>()
        .schema_from::<crate::polls::templates::SaveTemplateBody>()
        .schema_from::<ChoiceDto>()
        .schema_from::<VoteDto>()
        .schema_from::<PollReactionDto>()
        .schema_from::<VotesDto>()
        .schema_from::<OutcomeDto>()
        .schema_from::<PollBody>()
        .schema_from::<RemindedDto>()
        .schema_from::<ChoiceBody>()
        .schema_from::<VoteBody>()
        .schema_from::<OptionBody>()
        .schema_from::<ClosingBody>()
        .schema_from::<OutcomeBody>()
        .schema_from::<PollReactionBody>()
        .schema_from::<GroupDto>()
        .schema_from::<MyGroupDto>()
        .schema_from::<MyGroupsDto>()
        .schema_from::<MemberDto>()
        .schema_from::<MembersDto>()
        .schema_from::<RequestDto>()
        .schema_from::<RequestsDto>()
        .schema_from::<ExploredGroupDto>()
        .schema_from::<ExploreDto>()
        .schema_from::<GroupBody>()
        .schema_from::<GroupFlagsBody>()
        .schema_from::<RequestBody>()
        .schema_from::<RoleBody>()
        .schema_from::<ThreadDto>()
        .schema_from::<ThreadPageDto>()
        .schema_from::<CommentDto>()
        .schema_from::<EventDto>()
        .schema_from::<ReactionDto>()
        .schema_from::<ListedThreadDto>()
        .schema_from::<ThreadListDto>()
        .schema_from::<GroupRef>()
        .schema_from::<PersonRef>()
        .schema_from::<ThreadBody>()
        .schema_from::<Tags>()
        .schema_from::<CommentBody>()
        .schema_from::<crate::api::PreviewBody>()
        .schema_from::<ReactionBody>()
        .schema_from::<MoveBody>()
        .schema_from::<VolumeBody>()
        .schema_from::<GuestsBody>()
        .schema_from::<crate::invitations::api::Emails>()
        .schema_from::<crate::notifications::api::NotificationDto>()
        .schema_from::<crate::notifications::api::NotificationsDto>()
        .schema_from::<crate::notifications::api::UnreadDto>()
        .schema_from::<crate::notifications::api::ReadBody>()
        .schema_from::<crate::notifications::api::VolumeDto>()
        .schema_from::<crate::notifications::api::VolumeChoiceBody>()
        .schema_from::<crate::notifications::api::DigestDto>()
        .schema_from::<crate::notifications::api::DigestBody>()
        .schema_from::<DeadJobDto>()
        .schema_from::<DeadJobsDto>()
        .schema_from::<DeadEmailDto>()
        .schema_from::<DeadEmailsDto>()
        .schema_from::<RetriedDto>()
        .schema_from::<crate::groups::api::EmailAddressDto>()
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Weft API")
                .version("1")
                .description(Some(
                    "The same use cases as the pages. Sessions are the `__Host-weft_session` cookie \
                     (log in with POST /api/v1/session); every state change carries the CSRF token in \
                     the `x-csrf-token` header. Authors appear by name and username, never by email.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components))
        .build()
}

/// The document, built once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| build().to_pretty_json().unwrap_or_else(|_| "{}".to_owned()))
}

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> Response {
    let mut res = document().into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// Every documented operation as (method, path under `/api/v1`), for tests.
pub fn operations() -> Vec<(&'static str, &'static str)> {
    OPERATIONS
        .iter()
        .map(|o| {
            let method = match o.method {
                HttpMethod::Get => "GET",
                HttpMethod::Post => "POST",
                HttpMethod::Patch => "PATCH",
                HttpMethod::Delete => "DELETE",
                _ => "OTHER",
            };
            (method, o.path)
        })
        .collect()
}
