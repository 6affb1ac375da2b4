//! Signing up and in: `/signup`, `/login…`, `/verify/…`, `/password/…`, `/logout`.
//! Every answer about an address is the same whether or not it has an account.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::TokenPurpose as Purpose;
use weft_app::{AppError, LogInOutcome, NewSession};
use weft_domain::{LocalPath, ValidationErrors};

use crate::AppState;
use crate::auth::Client;
use crate::cookies;
use crate::error::WebError;
use crate::rate_limit::Door;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

// ---- templates ----

#[derive(Template)]
#[template(path = "accounts/signup.html")]
struct SignUpPage {
    ctx: PageCtx,
    name: String,
    email: String,
    next: String,
    errors: ValidationErrors,
}

#[derive(Template)]
#[template(path = "accounts/check_email.html")]
struct CheckEmail<'a> {
    ctx: PageCtx,
    message: &'a str,
    /// Shows the 6-digit code form for this address.
    code_for: Option<String>,
    code_error: Option<&'a str>,
    next: String,
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LogInPage<'a> {
    ctx: PageCtx,
    email: String,
    next: String,
    password_problem: Option<&'a str>,
    link_errors: ValidationErrors,
}

#[derive(Template)]
#[template(path = "accounts/confirm.html")]
pub(crate) struct Confirm<'a> {
    pub ctx: PageCtx,
    pub heading: &'a str,
    pub text: &'a str,
    pub button: &'a str,
    pub action: String,
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct Forgot {
    ctx: PageCtx,
    email: String,
    errors: ValidationErrors,
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct Reset {
    ctx: PageCtx,
    action: String,
    errors: ValidationErrors,
}

// ---- helpers ----

pub(crate) async fn limited(
    state: &AppState,
    door: Door,
    client: &Client,
    email: Option<&str>,
) -> Result<(), WebError> {
    crate::rate_limit::limited(state, door, client, email, false).await
}

/// Sets the new session cookie, ends the session the browser had before (rotation) and goes on.
pub(crate) async fn logged_in(
    state: &AppState,
    headers: &HeaderMap,
    session: NewSession,
    next: &LocalPath,
) -> Result<Response, WebError> {
    if let Some(old) = cookies::get(headers, state.cookies.session) {
        state.app.log_out(old).await?;
    }
    let mut res = Redirect::to(next.as_str()).into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, state.cookies.set_session(session.token.expose()));
    Ok(res)
}

fn with_notice(next: &LocalPath, notice: Notice) -> LocalPath {
    if next.as_str() == "/" {
        LocalPath::or_root(Some(&notice.on("/")))
    } else {
        next.clone()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: Option<String>,
}

// ---- sign up ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignUpForm {
    name: String,
    email: String,
    password: String,
    next: String,
    /// Filled by the page's script from the browser (empty without JavaScript).
    time_zone: String,
}

pub async fn signup_form(ctx: PageCtx, Query(q): Query<NextQuery>) -> Response {
    let next = LocalPath::or_root(q.next.as_deref());
    if ctx.user.is_some() {
        return Redirect::to(next.as_str()).into_response();
    }
    render(
        StatusCode::OK,
        &SignUpPage {
            ctx,
            name: String::new(),
            email: String::new(),
            next: if next.is_root() {
                String::new()
            } else {
                next.as_str().to_owned()
            },
            errors: ValidationErrors::new(),
        },
    )
}

pub async fn signup(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    Form(form): Form<SignUpForm>,
) -> Result<Response, WebError> {
    limited(&state, Door::SignUp, &client, Some(&form.email)).await?;
    let next = LocalPath::parse(&form.next);
    let input = weft_app::accounts::SignUp {
        name: &form.name,
        email: &form.email,
        password: &form.password,
        next: next.as_ref(),
        browser: Some(&ctx.csrf),
        time_zone: Some(&form.time_zone),
    };
    match state.app.sign_up(&input).await {
        Ok(()) => Ok(render(
            StatusCode::OK,
            &CheckEmail {
                ctx,
                message: "We sent a link to confirm your address. Open it to finish creating your account.",
                code_for: None,
                code_error: None,
                next: String::new(),
            },
        )),
        Err(AppError::Invalid(errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SignUpPage {
                ctx,
                name: form.name,
                email: form.email,
                next: form.next,
                errors,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn verify_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    state.app.check_token(Purpose::VerifyEmail, &token).await?;
    let next = LocalPath::or_root(q.next.as_deref());
    let action = if next.is_root() {
        format!("/verify/{token}")
    } else {
        format!("/verify/{token}?next={}", next.to_query_value())
    };
    Ok(render(
        StatusCode::OK,
        &Confirm {
            ctx,
            heading: "Confirm your address",
            text: "One click and your account is ready.",
            button: "Confirm and log in",
            action,
        },
    ))
}

pub async fn verify(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    client: Client,
    Path(token): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let session = state
        .app
        .verify_email_and_log_in(&token, Some(&ctx.csrf), client.info)
        .await?;
    let next = LocalPath::or_root(q.next.as_deref());
    let notice = if session.password_dropped {
        Notice::WelcomeNoPassword
    } else {
        Notice::Welcome
    };
    logged_in(&state, &headers, session, &with_notice(&next, notice)).await
}

// ---- log in ----

pub async fn login_form(ctx: PageCtx, Query(q): Query<NextQuery>) -> Response {
    let next = LocalPath::or_root(q.next.as_deref());
    if ctx.user.is_some() {
        return Redirect::to(next.as_str()).into_response();
    }
    render(
        StatusCode::OK,
        &LogInPage {
            ctx,
            email: String::new(),
            next: next.as_str().to_owned(),
            password_problem: None,
            link_errors: ValidationErrors::new(),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    email: String,
    password: String,
    next: String,
}

pub async fn login_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    limited(&state, Door::LogIn, &client, Some(&form.email)).await?;
    let next = LocalPath::or_root(Some(&form.next));
    match state
        .app
        .log_in_with_password(&form.email, &form.password, Some(&ctx.csrf), client.info)
        .await
    {
        Ok(LogInOutcome::LoggedIn(session)) => {
            logged_in(&state, &headers, session, &with_notice(&next, Notice::LoggedIn)).await
        }
        Ok(LogInOutcome::NeedsVerification) => Ok(render(
            StatusCode::OK,
            &CheckEmail {
                ctx,
                message: "Confirm your address first: we sent you a new link.",
                code_for: None,
                code_error: None,
                next: String::new(),
            },
        )),
        Err(AppError::InvalidCredentials) => Ok(render(
            StatusCode::UNAUTHORIZED,
            &LogInPage {
                ctx,
                email: form.email,
                next: next.as_str().to_owned(),
                password_problem: Some(
                    "The email address or password is not right. Try again, or get a log-in link by email.",
                ),
                link_errors: ValidationErrors::new(),
            },
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    #[serde(rename = "link-email")]
    email: String,
    next: String,
}

pub async fn login_link(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    Form(form): Form<LinkForm>,
) -> Result<Response, WebError> {
    limited(&state, Door::LogInLink, &client, Some(&form.email)).await?;
    let next = LocalPath::or_root(Some(&form.next)).as_str().to_owned();
    match state.app.request_log_in_link(&form.email).await {
        Ok(()) => Ok(render(
            StatusCode::OK,
            &CheckEmail {
                ctx,
                message: "If this address has an account, we sent it a log-in link and a 6-digit code. The link works once, for 15 minutes.",
                code_for: Some(form.email.trim().to_owned()),
                code_error: None,
                next,
            },
        )),
        Err(AppError::Invalid(link_errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LogInPage {
                ctx,
                email: form.email,
                next,
                password_problem: None,
                link_errors,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    email: String,
    code: String,
    next: String,
}

pub async fn login_code(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    limited(&state, Door::LogIn, &client, Some(&form.email)).await?;
    let next = LocalPath::or_root(Some(&form.next));
    match state.app.log_in_with_code(&form.email, &form.code, client.info).await {
        Ok(session) => {
            let notice = if session.password_dropped {
                Notice::WelcomeNoPassword
            } else {
                Notice::LoggedIn
            };
            logged_in(&state, &headers, session, &with_notice(&next, notice)).await
        }
        Err(AppError::InvalidToken) => Ok(render(
            StatusCode::BAD_REQUEST,
            &CheckEmail {
                ctx,
                message: "Enter the 6-digit code from the email we sent you.",
                code_for: Some(form.email),
                code_error: Some("That code is not right or has expired. Check the email, or ask for a new link."),
                next: next.as_str().to_owned(),
            },
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn token_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    // Opening the link only shows a button: mail scanners that fetch links must not use them up.
    state.app.check_token(Purpose::LogIn, &token).await?;
    Ok(render(
        StatusCode::OK,
        &Confirm {
            ctx,
            heading: "Log in",
            text: "Your link is ready. It works once.",
            button: "Log in now",
            action: format!("/login/token/{token}"),
        },
    ))
}

pub async fn token_log_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: Client,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let session = state.app.log_in_with_link(&token, client.info).await?;
    let notice = if session.password_dropped {
        Notice::WelcomeNoPassword
    } else {
        Notice::LoggedIn
    };
    logged_in(&state, &headers, session, &LocalPath::or_root(Some(&notice.on("/")))).await
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    if let Some(token) = cookies::get(&headers, state.cookies.session) {
        state.app.log_out(token).await?;
    }
    let mut res = Redirect::to(&Notice::LoggedOut.on("/")).into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, state.cookies.clear_session());
    Ok(res)
}

// ---- password reset ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
}

pub async fn forgot_form(ctx: PageCtx) -> Response {
    render(
        StatusCode::OK,
        &Forgot {
            ctx,
            email: String::new(),
            errors: ValidationErrors::new(),
        },
    )
}

pub async fn forgot(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    Form(form): Form<ForgotForm>,
) -> Result<Response, WebError> {
    limited(&state, Door::PasswordReset, &client, Some(&form.email)).await?;
    match state.app.request_password_reset(&form.email).await {
        Ok(()) => Ok(render(
            StatusCode::OK,
            &CheckEmail {
                ctx,
                message: "If this address has an account, we sent it a link to choose a new password. The link works once, for 15 minutes.",
                code_for: None,
                code_error: None,
                next: String::new(),
            },
        )),
        Err(AppError::Invalid(errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Forgot {
                ctx,
                email: form.email,
                errors,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn reset_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    state.app.check_token(Purpose::ResetPassword, &token).await?;
    Ok(render(
        StatusCode::OK,
        &Reset {
            ctx,
            action: format!("/password/reset/{token}"),
            errors: ValidationErrors::new(),
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    password: String,
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    match state.app.reset_password(&token, &form.password, client.info).await {
        Ok(session) => {
            logged_in(
                &state,
                &headers,
                session,
                &LocalPath::or_root(Some(&Notice::PasswordChanged.on("/"))),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Reset {
                ctx,
                action: format!("/password/reset/{token}"),
                errors,
            },
        )),
        Err(e) => Err(e.into()),
    }
}
