//! The `openapi` component: `GET /customers/v2/openapi.json` (contract §8), the OpenAPI
//! 3.1 document kept in the repository (`openapi/openapi.json`), and `GET /customers/v2/docs`,
//! the API reference page that renders it for partner developers (Swagger UI), no token
//! needed for either. A component of its own: the document is large and would otherwise be in
//! every instance of the profiles component.

use http::{Request, Response};
use web::static_files::{Source, StaticFile};
use web::{route, Answer, RequestCtx, Route};

const DOCUMENT: &str = include_str!("../../../openapi/openapi.json");

/// Where spin.toml mounts the installed `swagger-ui-dist` package (`files`; `scripts/docs-ui`
/// installs it from `ui/package-lock.json`). Its bundle is 1.8 MB: read at run time, not built
/// into the `.wasm`.
macro_rules! swagger_ui {
    ($file:literal) => {
        Source::Mounted(concat!("/swagger-ui/", $file))
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
/// Our own small files change with the component: the browser asks again every time.
const OURS: &str = "no-cache";
/// The pinned package's files change only with its version.
const PINNED: &str = "public, max-age=86400";

/// The reference page and every file it loads; no other path of the mount is served.
const DOCS: &[StaticFile] = &[
    StaticFile {
        path: "/customers/v2/docs",
        source: Source::Embedded(include_str!("../ui/index.html")),
        content_type: HTML,
        cache_control: OURS,
    },
    StaticFile {
        path: "/customers/v2/docs/docs.js",
        source: Source::Embedded(include_str!("../ui/docs.js")),
        content_type: JAVASCRIPT,
        cache_control: OURS,
    },
    StaticFile {
        path: "/customers/v2/docs/docs.css",
        source: Source::Embedded(include_str!("../ui/docs.css")),
        content_type: CSS,
        cache_control: OURS,
    },
    StaticFile {
        path: "/customers/v2/docs/swagger-ui-bundle.js",
        source: swagger_ui!("swagger-ui-bundle.js"),
        content_type: JAVASCRIPT,
        cache_control: PINNED,
    },
    StaticFile {
        path: "/customers/v2/docs/swagger-ui.css",
        source: swagger_ui!("swagger-ui.css"),
        content_type: CSS,
        cache_control: PINNED,
    },
    StaticFile {
        path: "/customers/v2/docs/favicon-32x32.png",
        source: swagger_ui!("favicon-32x32.png"),
        content_type: "image/png",
        cache_control: PINNED,
    },
];

spin_glue::public_component!(public);

/// The document, the one operation of this component (the page's files are not operations).
const ROUTES: &[Route<()>] = &[route(api::routes::OPENAPI_DOCUMENT, ())];

async fn public(ctx: &RequestCtx, req: &Request<Vec<u8>>) -> Answer {
    if let Some(answer) = web::static_files::serve(DOCS, ctx, req) {
        return answer;
    }
    let (found, _) = web::router::find(ROUTES, req)?;
    ctx.route.set(found.op.template);
    let mut response = Response::new(DOCUMENT.as_bytes().to_vec());
    response.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
    Ok(response)
}
