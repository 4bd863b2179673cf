//! Bearer-token authentication and role checks.
//!
//! Every API route carries a [`guard`] layer with the least [`Role`] it needs (from the route
//! table). The token is looked up through the store, which keeps only its SHA-256 hash; the
//! plaintext is never logged, stored or echoed. A missing, malformed, unknown or revoked token
//! is 401; a viewer token on an admin route is 403.
//!
//! A verified token is remembered for [`TOKEN_CACHE_TTL`] (by its hash, never its text), so a
//! dashboard's burst of requests costs one store lookup instead of one each (measured in
//! BENCHMARKS.md, "Server API"). A token revoked through this server stops working at once;
//! one revoked through another server process or `faasguard token revoke` stops within
//! [`TOKEN_CACHE_TTL`]. Unknown tokens are never cached.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;

/// Longest accepted `Authorization` value: a token is a few dozen characters, so anything
/// much longer is refused before it reaches the store.
const MAX_AUTHORIZATION_LEN: usize = 512;

/// How long a verified token is trusted without asking the store again (the default; see
/// [`crate::AppState::with_token_cache_ttl`]).
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(10);

/// Verified tokens remembered at most at once; when full, the cache starts over.
const TOKEN_CACHE_MAX: usize = 1024;

/// Verified tokens, by hash, with when they were verified. Shared by every request of a server.
#[derive(Debug)]
pub(crate) struct TokenCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Principal, Instant)>>,
}

impl TokenCache {
    pub(crate) fn new(ttl: Duration) -> TokenCache {
        TokenCache {
            ttl,
            entries: Mutex::default(),
        }
    }

    fn get(&self, hash: &str) -> Option<Principal> {
        let entries = self.entries.lock().ok()?;
        let (principal, at) = entries.get(hash)?;
        (at.elapsed() < self.ttl).then(|| principal.clone())
    }

    fn put(&self, hash: String, principal: Principal) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= TOKEN_CACHE_MAX {
                entries.clear();
            }
            entries.insert(hash, (principal, Instant::now()));
        }
    }

    /// Forgets every token (after a revocation).
    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// What a token may do. Ordered: an admin may do everything a viewer may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything.
    Viewer,
    /// Also blocks and unblocks functions, changes the policy and manages tokens.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    pub(crate) fn from_store(role: faasguard_store::Role) -> Role {
        match role {
            faasguard_store::Role::Admin => Role::Admin,
            faasguard_store::Role::Viewer => Role::Viewer,
        }
    }

    pub(crate) fn to_store(self) -> faasguard_store::Role {
        match self {
            Role::Viewer => faasguard_store::Role::Viewer,
            Role::Admin => faasguard_store::Role::Admin,
        }
    }
}

/// The caller of a request, put in the request's extensions by [`guard`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The token's name: the actor in the audit log.
    pub name: String,
    pub role: Role,
}

/// The state of one route's guard: the app and the least role the route needs.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    pub state: AppState,
    pub role: Role,
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?;
    if value.len() > MAX_AUTHORIZATION_LEN {
        return None;
    }
    let value = value.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

/// The middleware on every API route: authenticates the token, checks the role, and hands the
/// [`Principal`] to the handler.
pub(crate) async fn guard(
    State(guard): State<Guard>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(token) = bearer(&request) else {
        return Err(ApiError::Unauthorized);
    };
    let hash = faasguard_store::token_hash(token);
    let principal = if let Some(principal) = guard.state.tokens.get(&hash) {
        principal
    } else {
        let info = guard
            .state
            .store
            .verify_token(token)
            .await
            .map_err(|e| ApiError::Store(e.to_string()))?
            .ok_or(ApiError::Unauthorized)?;
        let principal = Principal {
            name: info.name,
            role: Role::from_store(info.role),
        };
        guard.state.tokens.put(hash, principal.clone());
        principal
    };
    if principal.role < guard.role {
        tracing::info!(actor = %principal.name, path = %request.uri().path(), "forbidden: role too low");
        return Err(ApiError::Forbidden);
    }
    request.extensions_mut().insert(principal);
    Ok(next.run(request).await)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn with_header(value: &str) -> Request {
        Request::builder()
            .header(AUTHORIZATION, value)
            .body(Body::empty())
            .unwrap_or_default()
    }

    /// Only `Bearer <token>` (any case of the scheme) yields a token; Basic auth, an empty
    /// token and an oversized header do not.
    #[test]
    fn bearer_header_parsing() {
        assert_eq!(bearer(&with_header("Bearer fg_abc")), Some("fg_abc"));
        assert_eq!(bearer(&with_header("bearer  fg_abc ")), Some("fg_abc"));
        assert_eq!(bearer(&with_header("Basic dXNlcjpwYXNz")), None);
        assert_eq!(bearer(&with_header("Bearer ")), None);
        assert_eq!(bearer(&with_header("fg_abc")), None);
        let long = format!("Bearer {}", "a".repeat(MAX_AUTHORIZATION_LEN));
        assert_eq!(bearer(&with_header(&long)), None);
        assert_eq!(bearer(&Request::new(Body::empty())), None);
    }
}
