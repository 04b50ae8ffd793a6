import Engine
import LocalSciToken

/// Every provider kind this build of Credmon supports. A new provider is a new target and one line here.
public let supportedProviderKinds: [any ProviderKind.Type] = [
    LocalSciTokenKind.self,
]
