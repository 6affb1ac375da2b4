//! The group API's response shapes, built from the app layer's views. Permissions come decided
//! from the view; a member's email is there only when the view carries it (coordinators, P6).

use serde::Serialize;
use weft_app::groups::{Group, GroupView, MemberView, MembershipRequest};
use weft_domain::permissions::{Action, Role};

/// `GET /groups/{key}`, and what creating or changing a group answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupDto {
    pub key: String,
    pub name: String,
    pub handle: String,
    pub description: String,
    /// The description rendered from markdown and sanitised.
    pub description_html: String,
    /// `open`, `closed` or `secret`.
    pub privacy: &'static str,
    pub join_policy: &'static str,
    pub thread_privacy: &'static str,
    pub parent_key: Option<String>,
    pub archived: bool,
    pub member_count: i64,
    /// What the caller may do here: see_content, see_members, see_member_emails, join,
    /// request_to_join, invite, start_thread, create_subgroup, change_settings, manage_members,
    /// leave, delete.
    pub permissions: Vec<&'static str>,
}

/// The group permissions the API names, in the order it lists them.
const PERMISSIONS: [(Action, &str); 12] = [
    (Action::SeeContent, "see_content"),
    (Action::SeeMembers, "see_members"),
    (Action::SeeMemberEmails, "see_member_emails"),
    (Action::Join, "join"),
    (Action::RequestToJoin, "request_to_join"),
    (Action::Invite, "invite"),
    (Action::StartThread, "start_thread"),
    (Action::CreateSubgroup, "create_subgroup"),
    (Action::ChangeSettings, "change_settings"),
    (Action::ManageMembers, "manage_members"),
    (Action::Leave, "leave"),
    (Action::Delete, "delete"),
];

impl GroupDto {
    /// The description's HTML must be in the markdown cache already (`markdown_cache::prepare`).
    pub fn from_view(v: &GroupView) -> Self {
        Self {
            key: v.group.key.clone(),
            name: v.group.name.clone(),
            handle: v.group.handle.clone(),
            description: v.group.description.clone(),
            description_html: crate::markdown_cache::to_html(&v.group.description).to_string(),
            privacy: v.group.privacy.as_str(),
            join_policy: v.group.join_policy.as_str(),
            thread_privacy: v.group.thread_privacy.as_str(),
            parent_key: v.parent.as_ref().map(|p| p.key.clone()),
            archived: v.group.archived_at.is_some(),
            member_count: v.member_count,
            permissions: PERMISSIONS.iter().filter(|(a, _)| v.may(*a)).map(|(_, n)| *n).collect(),
        }
    }
}

/// One of my groups, with my role in it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyGroupDto {
    pub key: String,
    pub name: String,
    pub handle: String,
    pub privacy: &'static str,
    /// `admin` or `member`.
    pub role: &'static str,
}

/// `GET /groups`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyGroupsDto {
    pub groups: Vec<MyGroupDto>,
}

impl MyGroupsDto {
    pub fn new(groups: &[(Group, Role)]) -> Self {
        Self {
            groups: groups
                .iter()
                .map(|(g, role)| MyGroupDto {
                    key: g.key.clone(),
                    name: g.name.clone(),
                    handle: g.handle.clone(),
                    privacy: g.privacy.as_str(),
                    role: role.as_str(),
                })
                .collect(),
        }
    }
}

/// One member. A deactivated member (P9) has no name or username.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberDto {
    pub key: String,
    pub name: Option<String>,
    pub username: Option<String>,
    pub deactivated: bool,
    pub role: &'static str,
    pub joined_at: String,
    /// Present only when the caller coordinates the group (P6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `GET /groups/{key}/members`, one page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MembersDto {
    pub members: Vec<MemberDto>,
    pub total: i64,
    pub page: i64,
}

impl MembersDto {
    pub fn new(members: &[MemberView], total: i64, page: i64) -> Self {
        Self {
            members: members
                .iter()
                .map(|m| MemberDto {
                    key: m.user_key.clone(),
                    name: m.name.clone(),
                    username: m.username.clone(),
                    deactivated: m.name.is_none(),
                    role: m.role.as_str(),
                    joined_at: m.joined_at.rfc3339(),
                    email: m.email.clone(),
                })
                .collect(),
            total,
            page,
        }
    }
}

/// A pending request to join, for the group's coordinators.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestDto {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub introduction: String,
    pub created_at: String,
}

/// `GET /groups/{key}/requests`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestsDto {
    pub requests: Vec<RequestDto>,
}

impl RequestsDto {
    pub fn new(requests: &[MembershipRequest]) -> Self {
        Self {
            requests: requests
                .iter()
                .map(|r| RequestDto {
                    id: r.id,
                    name: r.name.clone(),
                    username: r.username.as_str().to_owned(),
                    introduction: r.introduction.clone(),
                    created_at: r.created_at.rfc3339(),
                })
                .collect(),
        }
    }
}

/// A group listed in Explore.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExploredGroupDto {
    pub key: String,
    pub name: String,
    pub handle: String,
    pub description: String,
    pub member_count: i64,
}

/// `GET /explore`, one page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExploreDto {
    pub groups: Vec<ExploredGroupDto>,
    pub page: i64,
    pub has_more: bool,
    /// How many groups this search lists in all.
    pub total: i64,
}

impl ExploreDto {
    pub fn new(groups: &[(Group, i64)], page: i64, has_more: bool, total: i64) -> Self {
        Self {
            total,
            groups: groups
                .iter()
                .map(|(g, members)| ExploredGroupDto {
                    key: g.key.clone(),
                    name: g.name.clone(),
                    handle: g.handle.clone(),
                    description: g.description.clone(),
                    member_count: *members,
                })
                .collect(),
            page,
            has_more,
        }
    }
}
