import CQPDF

/// The document structure as qpdf reads it: encryption, damage (qpdf's warnings while it reads
/// and recovers), the page tree, media boxes and image dictionaries. Only the child process
/// (`zhtj-inspect`) and tests use it: qpdf parses untrusted bytes, and one corpus file
/// (`xref-compressed-in-compressed.pdf`) is known to crash `qpdf --check`.
///
/// Nothing is decoded here: qpdf resolves objects and reads dictionaries, never stream data.
final class QPDFDocument {
    private var handle: qpdf_data?
    /// The bytes qpdf reads in place; kept alive (and unchanged) as long as the document.
    private let bytes: ByteView

    /// False when qpdf could not read the file even with recovery (then `readError` says why).
    let isReadable: Bool
    /// qpdf's error for an unreadable file (English, for logs), without the file name.
    let readError: String?
    /// True for every kind of encryption: a user password, or an owner password only (which
    /// opens with the empty password, and which poppler-glib opens silently).
    let isEncrypted: Bool

    /// Objects resolved to find damage beyond the page tree; a real form has a few dozen.
    static let maximumObjectsResolved = 500_000
    /// How deep form XObjects are followed to find the images a page draws.
    static let maximumFormDepth = 8
    /// How deep the page tree is climbed for inherited attributes.
    static let maximumTreeDepth = 64

    /// Reads `bytes` with qpdf's default recovery, printing nothing (warnings are collected).
    init(bytes: ByteView) {
        self.bytes = bytes
        let handle = qpdf_init()
        self.handle = handle
        qpdf_silence_errors(handle)
        qpdf_set_suppress_warnings(handle, QPDF_TRUE)
        let status = bytes.withUnsafeBytes { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                qpdf_read_memory(handle, "upload", chars.baseAddress, UInt64(chars.count), "")
            }
        }
        isEncrypted = qpdf_is_encrypted(handle) != QPDF_FALSE
        if status & QPDF_ERRORS != 0 || qpdf_has_error(handle) != QPDF_FALSE {
            isReadable = false
            readError = Self.text(of: qpdf_get_error(handle), in: handle) ?? "qpdf could not read the file"
        } else {
            isReadable = true
            readError = nil
        }
    }

    deinit { qpdf_cleanup(&handle) }

    /// The page count, nil when qpdf cannot build the page tree.
    var pageCount: Int? {
        guard isReadable else { return nil }
        let count = qpdf_get_num_pages(handle)
        guard qpdf_has_error(handle) == QPDF_FALSE, count >= 0 else {
            _ = qpdf_get_error(handle)
            return nil
        }
        return Int(count)
    }

    /// Resolves every object the trailer's `/Size` announces (not only those the page tree
    /// reaches), so that a broken cross-reference entry anywhere shows as a warning: what
    /// `qpdf --check` reads, without decoding any stream.
    func resolveAllObjects() {
        guard isReadable else { return }
        let trailer = qpdf_get_trailer(handle)
        defer { qpdf_oh_release(handle, trailer) }
        guard let size = integer(trailer, "/Size"), size > 1 else { return }
        for number in 1..<min(size, Self.maximumObjectsResolved) {
            let object = qpdf_get_object_by_id(handle, Int32(number), 0)
            _ = qpdf_oh_get_type_code(handle, object)
            qpdf_oh_release(handle, object)
        }
        if qpdf_has_error(handle) != QPDF_FALSE { _ = qpdf_get_error(handle) }
    }

    /// What qpdf warned about so far (each warning once): the count and the first text.
    func drainWarnings() -> (count: Int, first: String?) {
        var count = 0
        var first: String?
        while qpdf_more_warnings(handle) != QPDF_FALSE {
            let warning = qpdf_next_warning(handle)
            if first == nil { first = Self.text(of: warning, in: handle) }
            count += 1
        }
        return (count, first)
    }

    /// The page's media box (inherited through the page tree) in points, rotation applied; nil
    /// when it is missing or not four numbers.
    func mediaBoxSize(ofPage index: Int) -> (width: Double, height: Double)? {
        let page = qpdf_get_page_n(handle, index)
        guard qpdf_has_error(handle) == QPDF_FALSE else {
            _ = qpdf_get_error(handle)
            return nil
        }
        guard let box = inherited(page, "/MediaBox"), qpdf_oh_is_array(handle, box) != QPDF_FALSE,
            qpdf_oh_get_array_n_items(handle, box) == 4
        else { return nil }
        let corners = (0..<4).map { qpdf_oh_get_array_item(handle, box, Int32($0)) }
        guard corners.allSatisfy({ qpdf_oh_is_number(handle, $0) != QPDF_FALSE }) else { return nil }
        let values = corners.map { qpdf_oh_get_numeric_value(handle, $0) }
        let width = abs(values[2] - values[0])
        let height = abs(values[3] - values[1])
        let rotation = inherited(page, "/Rotate").flatMap { integer($0) } ?? 0
        return ((rotation % 180 + 180) % 180 == 90) ? (height, width) : (width, height)
    }

    /// One image XObject as its dictionary describes it.
    struct Image: Equatable {
        var objectID: Int
        var pixelWidth: Int
        var pixelHeight: Int
        /// `/Filter` (the last one of a chain: what the pixels are stored as), e.g. `DCTDecode`.
        var filter: String?
    }

    /// Every image XObject the page's resources name, and those of the form XObjects they name
    /// (to ``maximumFormDepth``), each object once, in no particular order. Images without an
    /// integer `/Width` and `/Height` are left out (poppler draws nothing for them either).
    func images(onPage index: Int) -> [Image] {
        let page = qpdf_get_page_n(handle, index)
        guard qpdf_has_error(handle) == QPDF_FALSE else {
            _ = qpdf_get_error(handle)
            return []
        }
        var found: [Image] = []
        var visited: Set<Int> = []
        func collect(resources: qpdf_oh?, depth: Int) {
            guard let resources, let xobjects = key(resources, "/XObject") else { return }
            for name in keys(of: xobjects) {
                guard let object = key(xobjects, name), qpdf_oh_is_stream(handle, object) != QPDF_FALSE else { continue }
                let id = Int(qpdf_oh_get_object_id(handle, object))
                if id != 0 {
                    guard visited.insert(id).inserted else { continue }
                }
                let dictionary = qpdf_oh_get_dict(handle, object)
                let isImage = key(dictionary, "/Subtype").map { qpdf_oh_is_name_and_equals(handle, $0, "/Image") != QPDF_FALSE }
                if isImage == true {
                    guard let width = integer(dictionary, "/Width"), let height = integer(dictionary, "/Height") else { continue }
                    found.append(Image(objectID: id, pixelWidth: width, pixelHeight: height, filter: filter(of: dictionary)))
                } else if depth < Self.maximumFormDepth {
                    collect(resources: key(dictionary, "/Resources"), depth: depth + 1)
                }
            }
        }
        collect(resources: inherited(page, "/Resources"), depth: 0)
        return found
    }

    // MARK: - Object access (type-checked first: a mismatch would be a qpdf warning)

    private func key(_ object: qpdf_oh, _ name: String) -> qpdf_oh? {
        guard qpdf_oh_is_dictionary(handle, object) != QPDF_FALSE, qpdf_oh_has_key(handle, object, name) != QPDF_FALSE else {
            return nil
        }
        let value = qpdf_oh_get_key(handle, object, name)
        return qpdf_oh_is_null(handle, value) != QPDF_FALSE ? nil : value
    }

    private func integer(_ object: qpdf_oh) -> Int? {
        qpdf_oh_is_integer(handle, object) != QPDF_FALSE ? Int(qpdf_oh_get_int_value(handle, object)) : nil
    }

    private func integer(_ object: qpdf_oh, _ name: String) -> Int? {
        key(object, name).flatMap { integer($0) }
    }

    /// A page attribute from the page or its nearest ancestor that has it (ISO 32000-1 §7.7.3.4).
    private func inherited(_ page: qpdf_oh, _ name: String) -> qpdf_oh? {
        var node = page
        for _ in 0..<Self.maximumTreeDepth {
            if let value = key(node, name) { return value }
            guard let parent = key(node, "/Parent") else { return nil }
            node = parent
        }
        return nil
    }

    private func keys(of dictionary: qpdf_oh) -> [String] {
        guard qpdf_oh_is_dictionary(handle, dictionary) != QPDF_FALSE else { return [] }
        var names: [String] = []
        qpdf_oh_begin_dict_key_iter(handle, dictionary)
        while qpdf_oh_dict_more_keys(handle) != QPDF_FALSE {
            if let name = qpdf_oh_dict_next_key(handle) { names.append(String(cString: name)) }
        }
        return names
    }

    private func filter(of dictionary: qpdf_oh) -> String? {
        guard var filter = key(dictionary, "/Filter") else { return nil }
        if qpdf_oh_is_array(handle, filter) != QPDF_FALSE {
            let count = qpdf_oh_get_array_n_items(handle, filter)
            guard count > 0 else { return nil }
            filter = qpdf_oh_get_array_item(handle, filter, count - 1)
        }
        guard qpdf_oh_is_name(handle, filter) != QPDF_FALSE, let name = qpdf_oh_get_name(handle, filter) else { return nil }
        return String(String(cString: name).dropFirst())
    }

    /// A warning's or error's text without the file name qpdf puts first: "object 3 0, offset
    /// 471: name with stray # …", or the bare message.
    private static func text(of error: qpdf_error?, in handle: qpdf_data?) -> String? {
        guard let error, let detail = qpdf_get_error_message_detail(handle, error) else { return nil }
        let message = String(cString: detail)
        let position = qpdf_get_error_file_position(handle, error)
        return position > 0 ? "offset \(position): \(message)" : message
    }
}
