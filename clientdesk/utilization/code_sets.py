"""What the codes on a claim line mean, in the words of the code sets' owners.

- Place of service: CMS's Place of Service Code Set (the two-digit codes on professional
  claims; https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets),
  public domain.
- Type of bill: the first two digits of the NUBC type of bill on institutional claims (the
  facility and the kind of care), as CMS's claims processing manual lists them (Medicare Claims
  Processing Manual, ch. 25, FL 4); the third digit (the claim's frequency) is not described.

CPT procedure descriptions are the AMA's and licensed, so the claim lines show CPT and HCPCS
codes without descriptions; a licensed descriptor file would be loaded like the drug
reference (`clientdesk ndc`), not written here.
"""

from __future__ import annotations

PLACE_OF_SERVICE: dict[str, str] = {
    "01": "Pharmacy",
    "02": "Telehealth, not in the patient's home",
    "03": "School",
    "04": "Homeless shelter",
    "05": "Indian Health Service free-standing facility",
    "06": "Indian Health Service provider-based facility",
    "07": "Tribal 638 free-standing facility",
    "08": "Tribal 638 provider-based facility",
    "09": "Prison or correctional facility",
    "10": "Telehealth in the patient's home",
    "11": "Office",
    "12": "Home",
    "13": "Assisted living facility",
    "14": "Group home",
    "15": "Mobile unit",
    "16": "Temporary lodging",
    "17": "Walk-in retail health clinic",
    "18": "Place of employment (worksite)",
    "19": "Off-campus outpatient hospital",
    "20": "Urgent care facility",
    "21": "Inpatient hospital",
    "22": "On-campus outpatient hospital",
    "23": "Emergency room (hospital)",
    "24": "Ambulatory surgical center",
    "25": "Birthing center",
    "26": "Military treatment facility",
    "27": "Outreach site or street",
    "31": "Skilled nursing facility",
    "32": "Nursing facility",
    "33": "Custodial care facility",
    "34": "Hospice",
    "41": "Ambulance (land)",
    "42": "Ambulance (air or water)",
    "49": "Independent clinic",
    "50": "Federally qualified health center",
    "51": "Inpatient psychiatric facility",
    "52": "Psychiatric facility, partial hospitalization",
    "53": "Community mental health center",
    "54": "Intermediate care facility for individuals with intellectual disabilities",
    "55": "Residential substance abuse treatment facility",
    "56": "Psychiatric residential treatment center",
    "57": "Non-residential substance abuse treatment facility",
    "58": "Non-residential opioid treatment facility",
    "60": "Mass immunization center",
    "61": "Comprehensive inpatient rehabilitation facility",
    "62": "Comprehensive outpatient rehabilitation facility",
    "65": "End-stage renal disease treatment facility",
    "66": "PACE center",
    "71": "Public health clinic",
    "72": "Rural health clinic",
    "81": "Independent laboratory",
    "99": "Other place of service",
}

TYPE_OF_BILL: dict[str, str] = {
    "11": "Hospital inpatient",
    "12": "Hospital inpatient (Part B only)",
    "13": "Hospital outpatient",
    "14": "Hospital, other (Part B)",
    "18": "Hospital swing bed",
    "21": "Skilled nursing, inpatient",
    "22": "Skilled nursing, inpatient (Part B only)",
    "23": "Skilled nursing, outpatient",
    "28": "Skilled nursing swing bed",
    "32": "Home health (Part B)",
    "34": "Home health, other",
    "41": "Religious non-medical health care institution, inpatient",
    "65": "Intermediate care facility",
    "66": "Intermediate care facility",
    "71": "Rural health clinic",
    "72": "Hospital- or independent renal dialysis facility",
    "73": "Federally qualified health center",
    "74": "Outpatient rehabilitation facility",
    "75": "Comprehensive outpatient rehabilitation facility",
    "76": "Community mental health center",
    "77": "Federally qualified health center",
    "79": "Other clinic",
    "81": "Hospice (non-hospital based)",
    "82": "Hospice (hospital based)",
    "83": "Ambulatory surgery center",
    "84": "Freestanding birthing center",
    "85": "Critical access hospital",
    "86": "Residential facility",
    "89": "Other special facility",
}


def place_of_service(code: str | None) -> str:
    """ "Office" for 11; "" for a code not in the set (or none)."""
    if not code:
        return ""
    return PLACE_OF_SERVICE.get(code.strip().zfill(2), "")


def type_of_bill(code: str | None) -> str:
    """ "Hospital outpatient" for 131 or 0131; "" for a type not in the list (or none)."""
    if not code:
        return ""
    digits = code.strip().lstrip("0")
    return TYPE_OF_BILL.get(digits[:2], "") if len(digits) >= 2 else ""
