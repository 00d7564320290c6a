/**
 * The National Provider Identifier's check digit: ten digits, the last a Luhn check digit
 * computed over the card-issuer prefix `80840` followed by the first nine (CMS, "Requirements
 * for the NPI check digit", ISO/IEC 7812). Browser-safe.
 */

/** The Luhn check digit for `80840` + nine digits. */
export function npiCheckDigit(first9: string): number {
  const digits = `80840${first9}`.split('').map(Number).reverse();
  const sum = digits.reduce((acc, d, i) => {
    if (i % 2 !== 0) return acc + d;
    const doubled = d * 2;
    return acc + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return (10 - (sum % 10)) % 10;
}

/** True for ten digits whose last one is the NPI check digit of the other nine. */
export function isValidNpi(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  return npiCheckDigit(value.slice(0, 9)) === Number(value[9]);
}
