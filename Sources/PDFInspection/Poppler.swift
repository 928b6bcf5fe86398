import CPoppler

/// Thin ownership wrappers around poppler-glib. Only the child process (`zhtj-inspect`) and tests
/// use them: poppler parses untrusted bytes, so the server never links this code into a request
/// path (see ``IsolatedInspector``).
final class PopplerDocument {
    enum OpenError: Error {
        /// POPPLER_ERROR_ENCRYPTED: a user password is needed.
        case encrypted
        /// Anything else poppler could not read; the message is poppler's, for logs.
        case unreadable(String)
    }

    private let document: OpaquePointer
    /// The bytes poppler reads; kept alive (and unchanged) as long as the document.
    private let storage: OpaquePointer

    /// Opens the very bytes that were examined (hashed, sniffed, walked), never the path again,
    /// and without copying them: poppler reads the mapping (or array copy) behind `bytes`, which
    /// the `GBytes` keeps alive for as long as poppler holds it.
    init(bytes: ByteView) throws(OpenError) {
        let retained = Unmanaged.passRetained(bytes.owner)
        let storage = bytes.owner.bytes.baseAddress.flatMap { address in
            g_bytes_new_with_free_func(
                address, gsize(bytes.count), { context in Unmanaged<ByteStorage>.fromOpaque(context!).release() },
                retained.toOpaque())
        }
        guard let storage else {
            retained.release()
            throw .unreadable("g_bytes_new failed")
        }
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(storage, nil, &error) else {
            g_bytes_unref(storage)
            let reason: OpenError
            if let error {
                let isEncrypted =
                    error.pointee.domain == poppler_error_quark()
                    && error.pointee.code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue)
                reason = isEncrypted ? .encrypted : .unreadable(error.pointee.message.map { String(cString: $0) } ?? "")
                g_error_free(error)
            } else {
                reason = .unreadable("no error reported")
            }
            throw reason
        }
        self.document = document
        self.storage = storage
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(document))
        g_bytes_unref(storage)
    }

    var pageCount: Int { Int(poppler_document_get_n_pages(document)) }

    /// "1.4"; poppler takes the larger of the header's and the catalog's `/Version`.
    var version: String {
        var major: guint = 0
        var minor: guint = 0
        poppler_document_get_pdf_version(document, &major, &minor)
        return "\(major).\(minor)"
    }

    /// False when the file carries an encryption dictionary that restricts something, even if it
    /// opened without a password (owner-password-only files).
    var hasFullPermissions: Bool {
        poppler_document_get_permissions(document).rawValue & POPPLER_PERMISSIONS_FULL.rawValue
            == POPPLER_PERMISSIONS_FULL.rawValue
    }

    /// 0-based; nil when poppler cannot build the page (a broken page tree).
    func page(at index: Int) -> PopplerPage? {
        guard index >= 0, index < Int(Int32.max), let page = poppler_document_get_page(document, Int32(index)) else {
            return nil
        }
        return PopplerPage(page, owner: self)
    }
}

final class PopplerPage {
    let page: OpaquePointer
    /// Pages must not outlive their document.
    private let owner: PopplerDocument

    fileprivate init(_ page: OpaquePointer, owner: PopplerDocument) {
        self.page = page
        self.owner = owner
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(page)) }

    /// Points, rotation applied.
    var size: (width: Double, height: Double) {
        var width = 0.0
        var height = 0.0
        poppler_page_get_size(page, &width, &height)
        return (width, height)
    }

    struct Rectangle: Equatable {
        var x1, y1, x2, y2: Double
    }

    struct ImagePlacement {
        var id: Int
        /// poppler's area: device space (72 dpi, y down, rotation applied) less the crop box's
        /// lower-left corner.
        var area: Rectangle
        var width: Double { abs(area.x2 - area.x1) }
        var height: Double { abs(area.y2 - area.y1) }
    }

    /// Where images are drawn, in poppler's list order (the last drawn first). poppler walks
    /// the content stream but decodes nothing here.
    func imagePlacements() -> [ImagePlacement] {
        guard let list = poppler_page_get_image_mapping(page) else { return [] }
        defer { poppler_page_free_image_mapping(list) }
        var placements: [ImagePlacement] = []
        var node: UnsafeMutablePointer<GList>? = list
        while let current = node {
            if let data = current.pointee.data {
                let mapping = data.assumingMemoryBound(to: PopplerImageMapping.self).pointee
                placements.append(
                    ImagePlacement(
                        id: Int(mapping.image_id),
                        area: Rectangle(
                            x1: mapping.area.x1, y1: mapping.area.y1, x2: mapping.area.x2, y2: mapping.area.y2)))
            }
            node = current.pointee.next
        }
        return placements
    }

    enum PixelSize: Equatable {
        case size(width: Int, height: Int)
        /// cairo could not allocate the surface: the image is larger than the memory limit.
        case outOfMemory(width: Int, height: Int)
        /// poppler drew nothing for this id, or cairo refused the size (over 32767 pixels).
        case unavailable
    }

    /// The image's own pixel size: poppler decodes it into a cairo surface of exactly that size.
    func imagePixelSize(id: Int) -> PixelSize {
        guard let surface = poppler_page_get_image(page, Int32(clamping: id)) else { return .unavailable }
        defer { cairo_surface_destroy(surface) }
        return Self.pixelSize(of: surface)
    }

    /// What ``imagePixelSize(id:)`` answers for an image that poppler hands to its output device
    /// as `width` × `height` pixels, without decoding it: the same ARGB32 surface is created —
    /// so the same allocation succeeds or fails under the same address-space limit, and cairo
    /// refuses the same sizes — and destroyed untouched (large surfaces are fresh `mmap`s, see
    /// ``PDFInspector/prepare()``, so nothing is written or faulted in).
    static func probeSurface(width: Int, height: Int) -> PixelSize {
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(clamping: width), Int32(clamping: height))
        else { return .unavailable }
        defer { cairo_surface_destroy(surface) }
        return pixelSize(of: surface)
    }

    private static func pixelSize(of surface: OpaquePointer) -> PixelSize {
        switch cairo_surface_status(surface) {
        case CAIRO_STATUS_SUCCESS:
            return .size(
                width: Int(cairo_image_surface_get_width(surface)), height: Int(cairo_image_surface_get_height(surface)))
        case CAIRO_STATUS_NO_MEMORY:
            return .outOfMemory(width: 0, height: 0)
        default:
            return .unavailable
        }
    }
}
