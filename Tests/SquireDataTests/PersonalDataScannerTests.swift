import SquireData
import Testing

/// The personal-data patterns: what they must find, and the numbers they must leave alone.
@Suite struct PersonalDataScannerTests {
    let scanner = PersonalDataScanner()

    func kinds(_ text: String) -> [PersonalDataScanner.Kind] { scanner.findings(in: text).map(\.kind) }

    @Test func findsEmailsPhonesAndCards() {
        #expect(kinds("mail jo.smith+bank@mail.example.co.uk now") == [.email])
        #expect(kinds("call +44 20 7946 0958 or (555) 010-2030") == [.phone, .phone])
        // 4111 1111 1111 1111 and 5500-0000-0000-0004 pass the Luhn check.
        #expect(kinds("card 4111 1111 1111 1111 and 5500-0000-0000-0004") == [.card, .card])
        #expect(
            scanner.masked("I'm jo@x.io, card 4111111111111111, tel 07700 900123")
                == "I'm [EMAIL], card [CARD], tel [PHONE]")
    }

    @Test func leavesAmountsYearsAndShortNumbersAlone() {
        #expect(kinds("I paid $1,250.00 in 2019 for order #123456").isEmpty)
        #expect(kinds("top up 50 pounds, ref 12 34 56").isEmpty)
        // Sixteen digits that fail the Luhn check are not a card, and too long for a phone.
        #expect(kinds("4111 1111 1111 1112").isEmpty)
        #expect(kinds("").isEmpty)
    }
}
