//! `faasguard serve`: the REST API, the dashboard and the scheduler over one store.
//!
//! # Public API
//!
//! - [`serve`]`(ServeConfig)`: opens the store, starts the scheduler (when a [`JobRunner`] is
//!   given) and serves HTTP until Ctrl-C / SIGTERM. [`serve_with_shutdown`] takes the stop
//!   signal as a future; [`serve_listener`] serves an already bound listener (tests).
//! - [`router`]`(AppState) -> axum::Router`: the whole application (API, dashboard, security
//!   headers), for tests or for embedding.
//! - [`Enforcer`]: how the server blocks and unblocks functions (the CLI implements it over
//!   faasguard-aws); [`JobRunner`]: how the scheduler runs a claimed job (a cloud scan and
//!   assurance of one account).
//! - [`routes::API_ROUTES`]: the single table every API route comes from (router, auth,
//!   OpenAPI document).
//!
//! Nothing here reads the environment: the CLI turns flags into a [`ServeConfig`].

mod api;
mod assets;
pub mod auth;
mod enforce;
mod error;
pub mod openapi;
mod policy;
pub mod routes;
mod scheduler;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use faasguard_store::Store;
use tokio::net::TcpListener;

pub use assets::CONTENT_SECURITY_POLICY;
pub use auth::{Principal, Role};
pub use enforce::{BoxFuture, EnforceError, EnforceOutcome, Enforcer, FunctionTarget};
pub use error::{ApiError, ServerError};
pub use policy::PolicySource;
pub use scheduler::{JobError, JobOutcome, JobRunner, SchedulerConfig, run_scheduler};

/// Default address: loopback only. Listening elsewhere is an explicit choice.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8780);

/// Everything `faasguard serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Where to listen (default [`DEFAULT_LISTEN`], 127.0.0.1:8780).
    pub listen: SocketAddr,
    /// The store: a SQLite path / `sqlite:` URL, or `postgres://…`.
    pub database: String,
    /// The assurance policy file (assurance.yaml) shown and edited through the API; `None`
    /// disables the policy routes (503).
    pub policy_path: Option<PathBuf>,
    /// Blocks and unblocks functions; `None` makes block/unblock answer 503.
    pub enforcer: Option<Arc<dyn Enforcer>>,
    /// Runs scheduled jobs; `None` serves the API and dashboard only (no scheduler).
    pub runner: Option<Arc<dyn JobRunner>>,
    pub scheduler: SchedulerConfig,
}

impl ServeConfig {
    /// A configuration with the defaults: loopback, no policy file, no enforcer, no scheduler.
    pub fn new(database: impl Into<String>) -> ServeConfig {
        ServeConfig {
            listen: DEFAULT_LISTEN,
            database: database.into(),
            policy_path: None,
            enforcer: None,
            runner: None,
            scheduler: SchedulerConfig::default(),
        }
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub enforcer: Option<Arc<dyn Enforcer>>,
    pub policy: Arc<PolicySource>,
    /// Verified API tokens (see [`auth`]).
    pub(crate) tokens: Arc<auth::TokenCache>,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            enforcer: None,
            policy: Arc::new(PolicySource::none()),
            tokens: Arc::new(auth::TokenCache::new(auth::TOKEN_CACHE_TTL)),
        }
    }

    #[must_use]
    pub fn with_enforcer(mut self, enforcer: Arc<dyn Enforcer>) -> AppState {
        self.enforcer = Some(enforcer);
        self
    }

    /// How long a verified token is trusted without asking the store again (default
    /// [`auth::TOKEN_CACHE_TTL`]); `Duration::ZERO` asks on every request.
    #[must_use]
    pub fn with_token_cache_ttl(mut self, ttl: Duration) -> AppState {
        self.tokens = Arc::new(auth::TokenCache::new(ttl));
        self
    }

    #[must_use]
    pub fn with_policy_file(mut self, path: PathBuf) -> AppState {
        self.policy = Arc::new(PolicySource::file(path));
        self
    }
}

/// The application: every route of [`routes::API_ROUTES`] behind its auth guard, the
/// dashboard, request logging (method, matched route, status, time; never headers) and the
/// security headers (CSP) on every response.
pub fn router(state: AppState) -> Router {
    let mut api = Router::new();
    for route in routes::API_ROUTES {
        let guard = auth::Guard {
            state: state.clone(),
            role: route.role,
        };
        api = api.route(
            route.path,
            (route.handler)().route_layer(middleware::from_fn_with_state(guard, auth::guard)),
        );
    }
    api.merge(assets::dashboard())
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(middleware::from_fn(log_request))
        .layer(middleware::from_fn(assets::security_headers))
        .with_state(state)
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Runs `faasguard serve` until Ctrl-C or SIGTERM.
pub async fn serve(config: ServeConfig) -> Result<(), ServerError> {
    serve_with_shutdown(config, shutdown_signal()).await
}

/// Runs the server until `shutdown` completes (then finishes in-flight requests and stops the
/// scheduler after its current job).
pub async fn serve_with_shutdown(
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.listen,
            source,
        })?;
    let store = Store::open(&config.database)
        .await
        .map_err(|e| ServerError::Store(e.to_string()))?;
    let mut state = AppState::new(store.clone());
    if let Some(enforcer) = config.enforcer.clone() {
        state = state.with_enforcer(enforcer);
    }
    if let Some(path) = config.policy_path.clone() {
        state = state.with_policy_file(path);
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let scheduler = config.runner.clone().map(|runner| {
        tokio::spawn(run_scheduler(
            store.clone(),
            runner,
            config.scheduler.clone(),
            stop_rx,
        ))
    });
    let shutdown = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    let served = serve_listener(listener, state, shutdown).await;
    if let Some(handle) = scheduler {
        let _ = tokio::time::timeout(Duration::from_secs(30), handle).await;
    }
    store.close().await;
    served
}

/// Serves [`router`] on an already bound listener until `shutdown` completes.
pub async fn serve_listener(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "faasguard server listening");
    }
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServerError::Serve)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
