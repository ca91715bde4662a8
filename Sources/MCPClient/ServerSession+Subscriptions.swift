import Basics

/// The session's one `subscriptions/listen` stream, through which a modern server sends its list
/// changes (MCP 2026-07-28, Subscriptions): at that version `notifications/tools/list_changed`
/// reaches only a client that opened one.
///
/// Opened by `open` when the runner says the server gets more than one request and the server
/// advertises `tools.listChanged`, for every list change it advertises. Over Streamable HTTP it
/// is a POST whose SSE response stays open; over stdio its messages share the channel and are
/// told apart by `_meta.io.modelcontextprotocol/subscriptionId`. Its list changes go where a
/// legacy session's go: the cached list is dropped (`listChanged`) and the observer marks the
/// tool list stale, so the next call lists the tools again. Nothing about it ever fails a request
/// or the session; it is traced under `-v`.
extension ServerSession {
    /// The longest `open` waits for the stream's acknowledgement before going on without it.
    package static let maxAcknowledgementWait: Duration = .seconds(5)

    /// A listen stream and where it stands.
    struct Subscription {
        /// The id of the `subscriptions/listen` request, which its messages carry.
        let id: RequestID
        /// What was asked for.
        let requested: MCPWire.SubscriptionFilter
        /// What the server said it honours; nil before its acknowledgement.
        var acknowledged: MCPWire.SubscriptionFilter?
        /// Resumes `listenForChanges` at the acknowledgement, or when the stream ends first.
        let acknowledgement: AsyncStream<Void>.Continuation
        /// The task that sends the request and waits for the stream's end.
        var task: Task<Void, Never>?
        /// Who is ending it, once someone is.
        var ending: Ending?
    }

    /// Who ended a listen stream.
    enum Ending {
        /// mcp-run, at the end of the run or on an acknowledgement that left out tool changes.
        case client(String)
        /// The server, with `notifications/cancelled` naming the stream (stdio).
        case server
    }

    /// How the listen request came back.
    private enum Outcome: Sendable {
        /// Answered: the server ended the stream gracefully (`resultType: complete`).
        case answered(JSONValue)
        /// Refused with an error, dropped, or ended unanswered.
        case failed(any Error)
    }

    /// Opens the stream for the list changes the server advertises, when this session is modern
    /// and the server advertises `tools.listChanged` (the list a run uses), and waits for its
    /// acknowledgement — so a change made by the run's own first call is not missed — for at
    /// most the request timeout or `maxAcknowledgementWait`, whichever is shorter. Never throws:
    /// a stream that cannot be opened only means no change notifications.
    ///
    /// Runs on the session; the stream's own task is unstructured (it lives as long as the
    /// stream), ended and awaited by `close()`.
    func listenForChanges() async {
        guard let version = modernVersion, subscription == nil, !isClosed else { return }
        let filter = MCPWire.SubscriptionFilter(advertisedBy: serverCapabilities)
        guard filter.toolsListChanged else {
            logger.trace(
                "[\(name)] \(MCPMethod.subscriptionsListen): not opened; the server does not advertise tools.listChanged"
            )
            return
        }
        let (id, reply) = reserveRequest()
        let params = MCPWire.addingModernMeta(
            to: MCPWire.listenParams(filter), protocolVersion: version, clientName: Self.clientName,
            clientVersion: Self.clientVersion)
        let message = JSONRPCMessage.request(id: id, method: MCPMethod.subscriptionsListen, params: params)
        let (acknowledged, acknowledgement) = AsyncStream<Void>.makeStream()
        subscription = Subscription(id: id, requested: filter, acknowledgement: acknowledgement)
        logger.trace("[\(name)] \(MCPMethod.subscriptionsListen) \(id): opening a stream for changes to: \(filter)")
        trace("→", message)
        let transport = self.transport
        // Unstructured: the listen stream's own task, for as long as the stream lives; ended
        // (cancelled over HTTP, answered over stdio) and awaited by close().
        subscription?.task = Task(executorPreference: EventLoop.preferred) { [weak self] in
            let outcome: Outcome
            do {
                // HTTP: returns when the stream ends (answered or dropped); stdio: once written.
                try await transport.send(message)
                var answer: JSONValue?
                for try await value in reply {
                    answer = value
                    break
                }
                outcome = answer.map { .answered($0) } ?? .failed(CancellationError())
            } catch {
                outcome = .failed(error)
            }
            await self?.subscriptionEnded(id, outcome)
        }
        let limit = min(requestTimeout, Self.maxAcknowledgementWait)
        let answered = try? await withTimeout(limit) {
            for await _ in acknowledged { return true }
            return false
        }
        if answered == nil, subscription?.id == id, subscription?.acknowledged == nil {
            logger.trace(
                "[\(name)] \(MCPMethod.subscriptionsListen) \(id): no acknowledgement within \(limit.humanReadable); going on, the stream stays open"
            )
        }
    }

    /// A notification that names a subscription: the acknowledgement, or a list change.
    func receive(_ method: String, _ params: JSONValue?, onSubscription id: RequestID) {
        guard var current = subscription, current.id == id else {
            logger.trace("[\(name)] ignored \(method) for subscription \(id), which is not open")
            return
        }
        if method == MCPMethod.subscriptionsAcknowledged {
            let honoured = MCPWire.SubscriptionFilter(wire: params?["notifications"])
            current.acknowledged = honoured
            subscription = current
            current.acknowledgement.finish()
            logger.trace("[\(name)] \(MCPMethod.subscriptionsListen) \(id): acknowledged, for changes to: \(honoured)")
            if !honoured.toolsListChanged {
                logger.trace(
                    "[\(name)] \(MCPMethod.subscriptionsListen) \(id): the server will not send tool list changes on it; closing it"
                )
                endSubscription(because: "the server does not send tool list changes on it")
            }
            return
        }
        // The server must not send what was not asked for (or not acknowledged): ignored.
        guard current.requested.admits(method), current.acknowledged?.admits(method) ?? true else {
            logger.trace("[\(name)] ignored \(method) on subscription \(id), which did not ask for it")
            return
        }
        listChanged(method)
        observer?(MCPWire.notification(method: method, params: params))
    }

    /// After the server said a list changed (on a listen stream, or a legacy session's
    /// notification), or a stream that may have carried such a change dropped (`heard` false): the
    /// list cached across runs for it is dropped, so neither this run nor the next uses it; the
    /// observer, told next, marks the tool list stale.
    func listChanged(_ method: String, heard: Bool = true) {
        let lists: [String]
        switch method {
        case MCPMethod.toolsListChanged: lists = [MCPMethod.toolsList]
        case MCPMethod.promptsListChanged: lists = [MCPMethod.promptsList]
        case MCPMethod.resourcesListChanged: lists = [MCPMethod.resourcesList, MCPMethod.resourceTemplatesList]
        default: return
        }
        if heard, method == MCPMethod.toolsListChanged {
            logger.trace("[\(name)] \(method): the tool list is stale; the next call lists the tools again")
        }
        for list in lists where forgetCachedList(list) {
            logger.trace("[\(name)] \(list): dropped the cached list, which the server said has changed")
        }
    }

    /// The server tore the stream down with `notifications/cancelled` naming it (stdio).
    func serverEndedSubscription(_ id: RequestID) {
        guard var current = subscription, current.id == id, current.ending == nil else { return }
        current.ending = .server
        subscription = current
        releaseRequest(id, finishing: true)
    }

    /// Ends the stream, when one is open and nobody is ending it yet: over HTTP by closing it
    /// (cancelling its task aborts the POST's response), over stdio with `notifications/cancelled`
    /// naming it, queued on the writer (MCP 2026-07-28, Subscriptions, Cancellation); its reply
    /// slot is then finished, as the server sends no answer to a cancelled request. Returns the
    /// stream's task, for `close()` to await.
    @discardableResult
    func endSubscription(because reason: String) -> Task<Void, Never>? {
        guard var current = subscription, current.ending == nil else { return subscription?.task }
        current.ending = .client(reason)
        subscription = current
        current.acknowledgement.finish()
        if transport is any HTTPTransport {
            current.task?.cancel()
        } else {
            let notice = JSONRPCMessage.cancelled(current.id, reason: reason)
            trace("→", notice)
            outbox.yield(notice)
            releaseRequest(current.id, finishing: true)
        }
        return current.task
    }

    /// The stream's request came back (or its task ended): traces how. A stream refused before
    /// its acknowledgement (a JSON-RPC error, an HTTP status) leaves the run without change
    /// notifications; one that drops after it marks the lists stale, since a change may have
    /// been missed, and is not reopened (a server that drops it would drop it again, and each
    /// reopening costs a connection): the unknown-tool re-list still covers what comes later.
    private func subscriptionEnded(_ id: RequestID, _ outcome: Outcome) {
        guard let current = subscription, current.id == id else { return }
        subscription = nil
        releaseRequest(id)
        current.acknowledgement.finish()
        let what = "[\(name)] \(MCPMethod.subscriptionsListen) \(id)"
        switch (current.ending, outcome) {
        case (.client(let reason)?, _):
            let how = transport is any HTTPTransport ? "closed the stream" : "sent notifications/cancelled"
            logger.trace("\(what): ended (\(reason)): \(how)")
        case (.server?, _):
            logger.trace("\(what): ended by the server (notifications/cancelled)")
        case (nil, .answered(let result)):
            let type = result["resultType"]?.stringValue ?? "complete"
            logger.trace("\(what): ended by the server (\(TerminalText.neutralized(type)))")
        case (nil, .failed) where isClosed || ended != nil:
            logger.trace("\(what): ended with the connection")
        case (nil, .failed(let error)) where current.acknowledged == nil:
            let reason = (error as? ClientError)?.message ?? "\(error)"
            logger.trace("\(what): could not be opened (\(reason)); no change notifications in this run")
        case (nil, .failed(let error)):
            let reason = (error as? ClientError)?.message ?? "\(error)"
            logger.trace(
                "\(what): the stream dropped (\(reason)); not reopened; the tool list is listed again before the next call"
            )
            for method in [MCPMethod.toolsListChanged, MCPMethod.promptsListChanged, MCPMethod.resourcesListChanged]
            where current.requested.admits(method) {
                listChanged(method, heard: false)
                observer?(.other(method: method, params: [:]))
            }
        }
    }
}
