@testable import PDFInspection
