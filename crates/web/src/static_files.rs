//! Files a component serves as they are (the API reference page and the browser files it
//! loads). The component names each file in a table: the request path that serves it, and
//! its bytes, either built into the component (a few kilobytes of our own) or read from the
//! component's Spin `files` mount (a vendored bundle of megabytes, which would make the
//! `.wasm` too large). A request path is only ever compared with the table, never joined to a
//! directory, so no request can reach a file the table does not name (no `..`, no listing).

use errors::ApiError;
use http::{HeaderValue, Request, Response};

use crate::{Answer, RequestCtx};

/// One file of a component's table.
pub struct StaticFile {
    /// The request path that serves it, e.g. `/customers/v2/docs/swagger-ui.css`.
    pub path: &'static str,
    pub source: Source,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its `Cache-Control`.
    pub cache_control: &'static str,
}

/// Where a file's bytes are.
pub enum Source {
    /// In the component (`include_str!`).
    Embedded(&'static str),
    /// At this path of the component's file system: the destination of a `files` mount in
    /// spin.toml.
    Mounted(&'static str),
}

/// What the page may load: only what this service serves (scripts, style sheets, the
/// document it fetches). `data:` images are the icons inside the style sheet; nothing is
/// fetched from anywhere else, and the page cannot be framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The answer when the request is for a file of `files`: the file for a `GET`, 405 for
/// another method. `None` for any other path.
pub fn serve(files: &[StaticFile], ctx: &RequestCtx, req: &Request<Vec<u8>>) -> Option<Answer> {
    let file = files.iter().find(|file| file.path == req.uri().path())?;
    ctx.route.set(file.path);
    if req.method() != http::Method::GET {
        return Some(Err(ApiError::MethodNotAllowed(vec!["GET"])));
    }
    Some(read(file).map(|bytes| response(file, bytes)))
}

fn read(file: &StaticFile) -> Result<Vec<u8>, ApiError> {
    match file.source {
        Source::Embedded(text) => Ok(text.as_bytes().to_vec()),
        // A missing mount is a deployment without the installed files: 500, and the log line
        // names the file.
        Source::Mounted(path) => std::fs::read(path).map_err(|e| {
            ApiError::Internal(
                std::io::Error::new(e.kind(), format!("reading the mounted {path}: {e}")).into(),
            )
        }),
    }
}

fn response(file: &StaticFile, bytes: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(bytes);
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(file.content_type));
    headers.insert("cache-control", HeaderValue::from_static(file.cache_control));
    headers.insert("content-security-policy", HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::time::Timestamp;

    fn ctx(req: &Request<Vec<u8>>) -> RequestCtx {
        RequestCtx::new(req, Timestamp::from_millis(0), |n| vec![7; n])
    }

    fn get(path: &str) -> Request<Vec<u8>> {
        Request::get(path).body(Vec::new()).unwrap()
    }

    /// A file on disk standing in for a mounted one. A directory per call: tests run in
    /// parallel, and one rewriting the file (truncate, then write) while another reads it made
    /// the reader see it empty.
    fn mounted(name: &str, bytes: &[u8]) -> &'static str {
        static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("static-files-{}-{call}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        Box::leak(path.display().to_string().into_boxed_str())
    }

    fn table() -> Vec<StaticFile> {
        vec![
            StaticFile {
                path: "/docs",
                source: Source::Embedded("<!doctype html>"),
                content_type: "text/html; charset=utf-8",
                cache_control: "no-cache",
            },
            StaticFile {
                path: "/docs/app.js",
                source: Source::Mounted(mounted("app.js", b"let x = 1;")),
                content_type: "text/javascript; charset=utf-8",
                cache_control: "public, max-age=86400",
            },
            StaticFile {
                path: "/docs/gone.css",
                source: Source::Mounted("/nonexistent/gone.css"),
                content_type: "text/css; charset=utf-8",
                cache_control: "public, max-age=86400",
            },
        ]
    }

    #[test]
    fn a_listed_file_is_served_with_its_type_cache_and_policy() {
        let files = table();
        for (path, body, content_type, cache) in [
            ("/docs", "<!doctype html>", "text/html; charset=utf-8", "no-cache"),
            ("/docs/app.js", "let x = 1;", "text/javascript; charset=utf-8", "public, max-age=86400"),
        ] {
            let req = get(path);
            let ctx = ctx(&req);
            let response = serve(&files, &ctx, &req).expect("listed").expect("served");
            assert_eq!(response.body(), body.as_bytes(), "{path}");
            assert_eq!(response.headers()["content-type"], content_type, "{path}");
            assert_eq!(response.headers()["cache-control"], cache, "{path}");
            assert_eq!(response.headers()["content-security-policy"], CONTENT_SECURITY_POLICY);
            assert_eq!(response.headers()["x-content-type-options"], "nosniff");
            assert_eq!(ctx.route.get(), path, "the log line's route");
        }
    }

    /// Only the table's paths: a path that would reach another file of the mount, or any file
    /// of the machine, is not a file of this component.
    #[test]
    fn no_path_outside_the_table_is_served() {
        let files = table();
        let secret = mounted("secret.txt", b"not for you");
        for path in [
            "/docs/secret.txt",
            "/docs/../docs/app.js",
            "/docs/%2e%2e/secret.txt",
            "/docs/app.js/",
            "/docs//app.js",
            "/DOCS/app.js",
            "/docs/",
            &format!("/docs/{secret}"),
            "/etc/passwd",
        ] {
            let req = get(path);
            assert!(serve(&files, &ctx(&req), &req).is_none(), "{path} was served");
        }
    }

    #[test]
    fn another_method_is_405() {
        let files = table();
        let req = Request::post("/docs/app.js").body(Vec::new()).unwrap();
        let error = serve(&files, &ctx(&req), &req).expect("listed").expect_err("refused");
        assert!(matches!(error, ApiError::MethodNotAllowed(ref allow) if allow == &["GET"]), "{error:?}");
    }

    #[test]
    fn a_missing_mounted_file_is_an_internal_error_naming_it() {
        let files = table();
        let req = get("/docs/gone.css");
        let error = serve(&files, &ctx(&req), &req).expect("listed").expect_err("missing");
        let cause = error.internal_cause().expect("an internal error");
        assert!(cause.contains("/nonexistent/gone.css"), "{cause}");
    }
}
