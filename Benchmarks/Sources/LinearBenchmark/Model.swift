import Giter

// The Codable types the shapes decode into and encode from, as a host app
// would declare them: `CustomResource<Spec, ShapeStatus>`.

/// The status every shape's resource carries (a consumer's small write).
struct ShapeStatus: Codable, Sendable, Equatable {
    var observedGeneration: Int
    var phase: String
}

/// `spec.items` of the sequence shape, and the spec of each document of the documents shape.
struct Item: Codable, Sendable, Equatable {
    var name: String
    var port: Int
}

struct ItemsSpec: Codable, Sendable, Equatable {
    var items: [Item]
}

/// The spec of the long string and block scalar shapes.
struct TextSpec: Codable, Sendable, Equatable {
    var text: String
}

/// One level of a nested tree: a child, or a value at the bottom.
final class Tree: Codable, Sendable, Equatable {
    let c: Tree?
    let v: Int?

    init(c: Tree?, v: Int?) {
        self.c = c
        self.v = v
    }

    static func == (lhs: Tree, rhs: Tree) -> Bool {
        // Iterative, so that comparing deep trees never recurses.
        var left: Tree? = lhs
        var right: Tree? = rhs
        while let l = left, let r = right {
            if l === r { return true }
            guard l.v == r.v else { return false }
            left = l.c
            right = r.c
        }
        return left == nil && right == nil
    }
}

struct TreesSpec: Codable, Sendable, Equatable {
    var trees: [Tree]
}

typealias BlockKeysResource = CustomResource<[String: String], ShapeStatus>
typealias FlowKeysResource = CustomResource<[String: Int], ShapeStatus>
typealias ItemsResource = CustomResource<ItemsSpec, ShapeStatus>
typealias TextResource = CustomResource<TextSpec, ShapeStatus>
typealias TreesResource = CustomResource<TreesSpec, ShapeStatus>
typealias ItemResource = CustomResource<Item, ShapeStatus>
