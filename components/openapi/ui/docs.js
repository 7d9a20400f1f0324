// The API reference page's settings (GET /customers/v2/docs). Swagger UI renders the document
// this service serves; it fetches nothing else.
window.ui = SwaggerUIBundle({
  url: "/customers/v2/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  docExpansion: "list",
  displayOperationId: true,
  filter: true,
  // Swagger UI would send the document to validator.swagger.io for a badge.
  validatorUrl: null,
  // "Try it out" calls this service, wherever it runs, whatever the document's `servers` say.
  requestInterceptor: function (request) {
    var url = new URL(request.url, window.location.href);
    request.url = window.location.origin + url.pathname + url.search;
    return request;
  },
});
