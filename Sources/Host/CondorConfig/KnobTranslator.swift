import Engine
import FoundationEssentials

/// Translates HTCondor's provider knobs (contract §E.2–E.4) into ``KnobFragment``s: for every service condor_credd
/// sorts, the catalog's kind for that credential type (recognised by token URL or name) writes the fragment; the
/// services no kind serves are noted.
public struct KnobTranslator: Sendable {
    public let knobs: CondorKnobs
    public let sorter: CredSorter
    public let catalog: KindCatalog

    public init(knobs: CondorKnobs, catalog: KindCatalog) {
        self.knobs = knobs
        self.sorter = CredSorter(knobs: knobs)
        self.catalog = catalog
    }

    /// The result: fragments for the services Credmon serves, and the services it does not.
    public struct Translation: Sendable {
        public var fragments: [KnobFragment]
        /// Services condor_credd routes to a credential type no kind of this build serves from knobs.
        public var unserved: [(service: String, type: CondorCredentialType)]
    }

    public func translate() -> Translation {
        var translation = Translation(fragments: [], unserved: [])
        for (service, type) in sorter.namedServices where type != .unknown {
            if let kind = kind(service: service, type: type), let fragment = kind.knobFragment(service: service, knobs: knobs) {
                translation.fragments.append(fragment)
            } else {
                translation.unserved.append((service, type))
            }
        }
        if sorter.vaultWildcard, let kind = catalog.kinds(serving: .vault).first(where: { $0.servesWildcard }),
           let fragment = kind.knobFragment(service: ProviderTable.wildcard, knobs: knobs) {
            translation.fragments.append(fragment)
        }
        return translation
    }

    /// The kind of a knob-described service: by its token URL's host, else by its name, else the type's default.
    public func kind(service: String, type: CondorCredentialType) -> (any ProviderKind.Type)? {
        catalog.recognise(service: service, type: type, tokenURL: knobs["\(service)_TOKEN_URL"])
    }
}
