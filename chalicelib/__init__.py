"""The CRM application package: everything the API Lambda and the functions/ Lambdas share."""
