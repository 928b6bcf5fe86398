import CPoppler
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension PDFInspector {
    /// Thumbnails and previews are at most this wide (a page at 300 DPI on A4 is 2480 wide).
    public static let maximumRenderWidth = 4096

    /// Why a page could not be rendered.
    public enum RenderError: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case tooLarge
        case encrypted
        case noSuchPage(Int)
        case cairo(String)

        public var description: String {
            switch self {
            case .unreadable(let reason): "unreadable: \(reason)"
            case .tooLarge: "file over the size limit"
            case .encrypted: "encrypted"
            case .noSuchPage(let page): "no page \(page)"
            case .cairo(let status): "cairo: \(status)"
            }
        }
    }

    /// Renders page `page` (1-based) to PNG, `maxWidth` pixels wide at most (never enlarged
    /// beyond 4× the page's size in points), on white. Parses the file: call it in the child
    /// (`zhtj-inspect --render-page`), as ``IsolatedInspector/render(fileAt:page:maxWidth:)`` does.
    public static func render(
        fileAt path: String, page: Int, maxWidth: Int, maximumBytes: Int = InspectionPolicy().maximumBytes
    ) throws(RenderError) -> Data {
        let bytes: ByteView
        switch MappedFile.map(path, limit: maximumBytes) {
        case .failure(let problem): throw .unreadable(problem)
        case .tooLarge: throw .tooLarge
        case .empty: throw .unreadable("empty file")
        case .mapped(let file): bytes = ByteView(file)
        }
        let document: PopplerDocument
        do {
            document = try PopplerDocument(bytes: bytes)
        } catch {
            switch error {
            case .encrypted: throw .encrypted
            case .unreadable(let message): throw .unreadable(message)
            }
        }
        guard page >= 1, page <= document.pageCount, let popplerPage = document.page(at: page - 1) else {
            throw .noSuchPage(page)
        }
        let size = popplerPage.size
        guard size.width > 0, size.height > 0, size.width.isFinite, size.height.isFinite else {
            throw .unreadable("page \(page) has no usable size")
        }
        let targetWidth = Double(max(1, min(maxWidth, maximumRenderWidth)))
        let scale = min(targetWidth / size.width, 4)
        let pixelWidth = max(1, Int((size.width * scale).rounded()))
        // A very tall page is capped too; cairo refuses surfaces over 32767 pixels anyway.
        let pixelHeight = max(1, min(Int((size.height * scale).rounded()), 4 * maximumRenderWidth))

        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(pixelWidth), Int32(pixelHeight))
        else { throw .cairo("no surface") }
        defer { cairo_surface_destroy(surface) }
        try check(cairo_surface_status(surface))
        guard let context = cairo_create(surface) else { throw .cairo("no context") }
        defer { cairo_destroy(context) }
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
        cairo_scale(context, scale, scale)
        poppler_page_render(popplerPage.page, context)
        try check(cairo_status(context))
        cairo_surface_flush(surface)

        let sink = PNGSink()
        let status = cairo_surface_write_to_png_stream(
            surface,
            { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                Unmanaged<PNGSink>.fromOpaque(closure).takeUnretainedValue().data.append(data, count: Int(length))
                return CAIRO_STATUS_SUCCESS
            }, Unmanaged.passUnretained(sink).toOpaque())
        try check(status)
        return withExtendedLifetime(sink) { sink.data }
    }

    private static func check(_ status: cairo_status_t) throws(RenderError) {
        guard status == CAIRO_STATUS_SUCCESS else {
            throw .cairo(cairo_status_to_string(status).map { String(cString: $0) } ?? "status \(status.rawValue)")
        }
    }
}

/// Collects cairo's PNG output; a class so the C callback can reach it through a pointer.
private final class PNGSink {
    var data = Data()
}
