from offices.models import Role
from offices.permissions import role_required
from phone_numbers.models import PhoneNumber

# A page about one number: another organization's number answers 404 whatever the role.
number_staff_required = role_required(Role.ADMIN, Role.MEMBER, model=PhoneNumber)
