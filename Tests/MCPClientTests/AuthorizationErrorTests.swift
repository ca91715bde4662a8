import Basics
import MCPClient
import Testing

/// `AuthChallenge.authorizationError`: `authType: none` probing and the `insufficient_scope` message.
@Suite("Authorization errors from challenges")
struct AuthorizationErrorTests {
    @Test("a 401 with a Bearer challenge on a server without credentials says it wants OAuth")
    func probing() throws {
        let error = try #require(
            AuthChallenge.authorizationError(
                status: 401,
                challenges: [#"Bearer resource_metadata="https://x.example/.well-known/oauth-protected-resource""#],
                hasCredentials: false, serverName: "jira"))
        #expect(error.message.contains("requires OAuth") && error.message.contains("OAuth metadata"))
        #expect(error.hint?.contains("mcp-run auth login jira") == true)
        #expect(error.hint?.contains("authType: oauth2-client-credentials") == true)
    }

    @Test("a 401 without a Bearer challenge, or with credentials configured, stays a plain auth error")
    func plain() {
        #expect(
            AuthChallenge.authorizationError(status: 401, challenges: [], hasCredentials: false, serverName: "s") == nil
        )
        #expect(
            AuthChallenge.authorizationError(
                status: 401, challenges: [#"Basic realm="x""#], hasCredentials: false, serverName: "s") == nil)
        #expect(
            AuthChallenge.authorizationError(
                status: 401, challenges: ["Bearer"], hasCredentials: true, serverName: "s") == nil)
    }

    @Test("a plain RFC 6750 Bearer challenge is a token server's, not OAuth; realm=\"OAuth\" (Atlassian) is OAuth")
    func plainBearer() throws {
        for challenge in ["Bearer", #"Bearer error="invalid_token""#, #"Bearer realm="api""#] {
            #expect(
                AuthChallenge.authorizationError(
                    status: 401, challenges: [challenge], hasCredentials: false, serverName: "s") == nil, "\(challenge)"
            )
        }
        let atlassian = try #require(
            AuthChallenge.authorizationError(
                status: 401,
                challenges: [
                    #"Bearer realm="OAuth", error="invalid_token", error_description="Missing or invalid access token""#
                ],
                hasCredentials: false, serverName: "jira"))
        #expect(atlassian.message.contains("requires OAuth"))
    }

    @Test("a 403 insufficient_scope names the scope")
    func insufficientScope() throws {
        let challenges = [#"Bearer error="insufficient_scope", scope="files:read files:write""#]
        #expect(AuthChallenge.insufficientScopes(challenges) == ["files:read", "files:write"])
        let error = try #require(
            AuthChallenge.authorizationError(status: 403, challenges: challenges, hasCredentials: true, serverName: "s")
        )
        #expect(error.message.contains("files:read files:write"))
        #expect(AuthChallenge.insufficientScopes([#"Bearer error="invalid_token""#]) == nil)
    }
}
