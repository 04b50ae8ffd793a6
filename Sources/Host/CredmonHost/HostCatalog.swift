import Engine
import ProviderCatalog

/// The provider kinds the `credmon` commands build providers from: the build's ``ProviderCatalog``, checked once.
/// `credmon` refuses to start when the catalog is invalid (two kinds with one name), naming the kinds.
public enum HostCatalog {
    /// The checked catalog, or why the build's list of kinds is not one.
    public static let loaded: Result<KindCatalog, KindCatalog.Problem> = Result { () throws(KindCatalog.Problem) -> KindCatalog in
        try ProviderCatalog.load()
    }

    /// The catalog (empty when ``loaded`` failed; the command line has refused to run by then).
    public static var catalog: KindCatalog {
        switch loaded {
        case .success(let catalog): catalog
        case .failure: KindCatalog.empty
        }
    }
}
