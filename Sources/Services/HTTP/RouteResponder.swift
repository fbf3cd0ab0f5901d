import NIOCore
import ScenarioFormat

/// `service: http`: answers from the scenario's routes in order; 404 when none matches.
public struct RouteResponder: HTTPResponder {
    private let routes: [(pattern: PathPattern, route: HTTPRoute)]

    public init(routes: [HTTPRoute]) {
        self.routes = routes.map { (PathPattern($0.path), $0) }
    }

    /// The route answering `method path`, if any.
    public func route(method: String, path: String) -> HTTPRoute? {
        routes.first { entry in
            (entry.route.method == nil || entry.route.method == method
                || (method == "HEAD" && entry.route.method == "GET")) && entry.pattern.matches(path)
        }?.route
    }

    public func answer(_ request: ServiceRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ServiceResponse> {
        guard let route = route(method: request.method, path: request.path ?? request.rawPath) else {
            return eventLoop.makeSucceededFuture(
                ServiceResponse(status: 404, headers: [("Content-Type", "text/plain")], text: "not found\n"))
        }
        let reply = route.respond
        var headers = reply.headers.map { (name: $0.name, value: $0.value) }
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }), !reply.body.isEmpty {
            let json = reply.body.first == "{" || reply.body.first == "["
            headers.append(("Content-Type", json ? "application/json" : "text/plain"))
        }
        let response = ServiceResponse(status: reply.status, headers: headers, text: reply.body)
        guard let delay = reply.delay, delay > .zero else { return eventLoop.makeSucceededFuture(response) }
        return eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) { response }.futureResult
    }
}
