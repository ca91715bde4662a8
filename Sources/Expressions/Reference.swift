/// A path read from a root name, found without evaluating, for static checks.
package struct Reference: Sendable, Hashable {
    /// The names read, starting at the root: `steps.site.json[0].id` gives `["steps", "site", "json"]`.
    /// The path stops at the first index that is not a string literal (`['name']` counts as a name).
    package var path: [String]
    /// The scalar offset of the root name in the template text.
    package var offset: Int
    /// True inside the first argument of `default()`, where a missing value is allowed.
    package var isGuarded: Bool

    /// Creates a reference.
    package init(path: [String], offset: Int, isGuarded: Bool) {
        self.path = path
        self.offset = offset
        self.isGuarded = isGuarded
    }
}
