// Reviewed label corrections for the accuracy harness: rows where we are confident the label in
// ../shared/corpus/labels.jsonl is wrong, each with the evidence from the message text. A
// correction applies only while our answer equals `ours`, so a later change cannot hide behind
// it. The harness prints raw figures and figures after these corrections, side by side.

export interface Reviewed {
  file: string;
  message: number;
  index?: number;
  field: 'recipient' | 'status' | 'reason';
  label: string;
  ours: string;
  evidence: string;
}

export const REVIEWED: Reviewed[] = [
  {
    file: 'mailbox/mbox-0', message: 20, field: 'status', label: '5.1.0', ours: '5.1.1',
    evidence: 'Diagnostic-Code: "5.1.0 - Unknown address error 550-\'5.1.1 <...>: Recipient address rejected: User unknown in virtual alias table\'"; the innermost reply is 5.1.1',
  },
  {
    file: 'mailbox/mbox-0', message: 30, field: 'status', label: '5.1.1', ours: '5.1.0',
    evidence: 'Diagnostic-Code: "550 #5.1.0 Address rejected ..."; the label copies Status: 5.1.1, but the code in the reply wins over Status: (the remote said 5.1.0)',
  },
];
