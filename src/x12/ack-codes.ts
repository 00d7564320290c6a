/**
 * Words for the acknowledgment codes (TA1, 999), ChartBill's paraphrases of X12.5 / 005010X231A1.
 */

/** TA104 interchange acknowledgment code. */
export const TA1_STATUS_TEXT: Readonly<Record<string, string>> = {
  A: 'accepted',
  E: 'accepted with errors',
  R: 'rejected',
};

/** TA105 interchange note codes seen most. */
export const TA1_NOTE_TEXT: Readonly<Record<string, string>> = {
  '000': 'no error',
  '001': 'the interchange control numbers in ISA13 and IEA02 do not match',
  '005': 'the interchange sender id qualifier (ISA05) is invalid',
  '006': 'the interchange sender id (ISA06) is invalid',
  '007': 'the interchange receiver id qualifier (ISA07) is invalid',
  '008': 'the interchange receiver id (ISA08) is invalid',
  '009': 'the interchange receiver id (ISA08) is unknown to the clearinghouse',
  '014': 'the interchange date (ISA09) is invalid',
  '015': 'the interchange time (ISA10) is invalid',
  '016': 'the interchange standards identifier (ISA11) is invalid',
  '017': 'the interchange version (ISA12) is invalid',
  '018': 'the interchange control number (ISA13) is invalid',
  '019': 'the acknowledgment requested flag (ISA14) is invalid',
  '020': 'the usage indicator (ISA15) is invalid',
  '022': 'the interchange control structure is invalid',
  '023': 'the file ended before the interchange did',
  '024': 'the interchange content is invalid',
  '025': 'the interchange control number was used before (duplicate)',
  '026': 'the data element separator is invalid',
  '027': 'the component element separator is invalid',
};

/** IK501 / AK901 acknowledgment codes. */
export const ACK_STATUS_TEXT: Readonly<Record<string, string>> = {
  A: 'accepted',
  E: 'accepted with errors',
  M: 'rejected: message authentication failed',
  P: 'partially accepted: some transaction sets rejected',
  R: 'rejected',
  W: 'rejected: assurance failed',
  X: 'rejected: content could not be analyzed after decryption',
};

/** IK304 segment syntax errors. */
export const SEGMENT_ERROR_TEXT: Readonly<Record<string, string>> = {
  '1': 'unrecognized segment',
  '2': 'unexpected segment',
  '3': 'a required segment is missing',
  '4': 'a loop occurs more often than allowed',
  '5': 'a segment occurs more often than allowed',
  '6': 'segment not in the transaction set',
  '7': 'segment out of order',
  '8': 'the segment has data element errors',
  I4: 'a segment the implementation guide does not use is present',
  I6: 'a segment the implementation guide requires in this situation is missing',
  I7: 'a loop occurs fewer times than the implementation guide requires',
  I8: 'a segment occurs fewer times than the implementation guide requires',
  I9: 'a segment the implementation guide does not use in this situation is present',
};

/** IK403 data element errors. */
export const ELEMENT_ERROR_TEXT: Readonly<Record<string, string>> = {
  '1': 'a required element is missing',
  '2': 'a conditionally required element is missing',
  '3': 'too many elements',
  '4': 'the value is too short',
  '5': 'the value is too long',
  '6': 'invalid character',
  '7': 'invalid code value',
  '8': 'invalid date',
  '9': 'invalid time',
  '10': 'an exclusion condition is violated',
  '12': 'too many repetitions',
  '13': 'too many components',
  I6: 'code value not used by the implementation guide',
  I9: 'an element the implementation guide requires in this situation is missing',
  I10: 'an element the implementation guide does not use is present',
  I11: 'too few repetitions',
  I12: 'the value does not match the pattern the implementation guide asks for',
  I13: 'an element the implementation guide does not use in this situation is present',
};

/** IK502 / AK902 transaction set and functional group errors. */
export const SET_ERROR_TEXT: Readonly<Record<string, string>> = {
  '1': 'transaction set (or functional group) not supported',
  '2': 'trailer missing (or functional group version not supported)',
  '3': 'control number in header and trailer do not match (or group trailer missing)',
  '4': 'the segment count in the trailer is wrong (or group control number mismatch)',
  '5': 'one or more segments in error (or the transaction set count is wrong)',
  '6': 'missing or invalid transaction set identifier',
  '7': 'missing or invalid transaction set control number',
  '19': 'the group control number is not unique within the interchange',
  '23': 'the transaction set control number is not unique within the group',
  I5: 'one or more segments in error (implementation guide)',
  I6: 'implementation convention not supported',
};
